/* test_darknet_run.c - what yolo-detect keeps besides detections: the raw
 * [yolo] outputs as tensor records (against darknet's own l.output from
 * ../shared/fixtures/yolo, skipped when absent; with --resize stretch against
 * the fixture's OpenCV DNN outputs), the --profile table. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt/darknet.h"
#include "vt/npy.h"
#include "vt/record.h"

static const char *fixtures(void)
{
	static const char *const dirs[] = {
		"../../shared/fixtures/yolo", "../shared/fixtures/yolo",
	};

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char p[256];

		snprintf(p, sizeof p, "%s/model/yolov3-tiny-synth-s1.weights",
			 dirs[i]);
		if (access(p, R_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

static struct vt_dn_net *load(const char *cfg, const char *weights)
{
	struct vt_err err = { 0 };
	struct vt_dn_net *net = NULL;

	cr_assert_eq(vt_dn_net_load_cfg(cfg, 0, 0, &net, &err), 0, "%s", err.msg);
	if (weights)
		cr_assert_eq(vt_dn_weights_load(net, weights, &err), 0, "%s",
			     err.msg);
	return net;
}

/* The callback of vt_dn_detect_all: each image's raw record to a stream,
 * as yolo-detect --raw writes it. */
struct sink {
	const struct vt_dn_net *net;
	FILE *f;
	enum vt_dn_resize resize;
	size_t n;
};

static int to_stream(void *arg, struct vt_dn_result *r,
		     struct vt_err *err)
{
	struct sink *s = arg;
	struct vt_record rec;
	int rc;

	cr_assert_eq(r->status, 0, "%s", r->err.msg);
	cr_assert_not_null(r->raw);
	vt_record_init(&rec);
	rc = vt_dn_raw_record(s->net, r->raw, r->path, r->width, r->height,
			      s->resize, &rec, err);
	if (!rc)
		rc = vt_record_write(s->f, "mem", &rec, err);
	vt_record_release(&rec);
	s->n++;
	return rc;
}

/* Run net on paths with keep_raw and return the stream of raw records. */
static char *raw_stream(struct vt_dn_net *net, char **paths, size_t n,
			int threads, enum vt_dn_resize resize, size_t *len)
{
	char *buf = NULL;
	struct sink s = { .net = net, .resize = resize };
	struct vt_dn_run_opts o = { .threads = threads, .keep_raw = true,
				    .dec = { .thresh = 0.25f, .nms = 0.45f,
					     .resize = resize } };
	struct vt_err err = { 0 };

	s.f = open_memstream(&buf, len);
	cr_assert_eq(vt_dn_detect_all(net, paths, n, &o, to_stream, &s, &err),
		     0, "%s", err.msg);
	fclose(s.f);
	cr_assert_eq(s.n, n);
	return buf;
}

static float *read_f32(const char *path, size_t n)
{
	FILE *f = fopen(path, "rb");
	float *v = malloc(n * sizeof *v);

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fread(v, sizeof *v, n, f), n, "%s", path);
	fclose(f);
	return v;
}

Test(darknet_raw, records_match_darknet_output)
{
	const char *dir = fixtures();
	static const char *const stems[] = { "dog", "eagle", "scream" };
	char *paths[3], p[256], *buf;
	struct vt_dn_net *net;
	struct vt_reader *rd;
	struct vt_record rec;
	struct vt_err err = { 0 };
	size_t len;

	if (!dir)
		cr_skip_test("../shared/fixtures/yolo not present");
	snprintf(p, sizeof p, "%s/model/yolov3-tiny.cfg", dir);
	{
		char wp[256];

		snprintf(wp, sizeof wp,
			 "%s/model/yolov3-tiny-synth-s1.weights", dir);
		net = load(p, wp);
	}
	for (int s = 0; s < 3; s++) {
		snprintf(p, sizeof p, "%s/images/%s.png", dir, stems[s]);
		paths[s] = strdup(p);
	}
	/* two threads: records still in input order, each its own image */
	buf = raw_stream(net, paths, 3, 2, VT_DN_LETTERBOX, &len);
	cr_assert_eq(vt_reader_open_mem(&rd, buf, len, "mem", NULL, &err), 0);
	vt_record_init(&rec);
	for (int s = 0; s < 3; s++) {
		static const int layers[2] = { 16, 23 };
		double ml = 0, mr = 0;

		cr_assert_eq(vt_reader_next(rd, &rec, &err), 1, "%s", err.msg);
		cr_assert_str_eq(vt_record_meta_get(&rec, "image"), paths[s]);
		cr_assert_str_eq(vt_record_meta_get(&rec, "resize"),
				 "letterbox");
		cr_assert_eq(rec.n_tensors, 2u);
		for (int k = 0; k < 2; k++) {
			char name[16];
			const struct vt_tensor *t;
			int g = layers[k] == 16 ? 13 : 26;
			size_t n = (size_t)3 * 85 * g * g;
			float *want;

			snprintf(name, sizeof name, "yolo%d", layers[k]);
			t = vt_record_find(&rec, name);
			cr_assert_not_null(t, "%s", name);
			cr_assert(t->dtype == VT_F32 && t->rank == 4 &&
				  t->shape[0] == 3 && t->shape[1] == 85 &&
				  t->shape[2] == (uint64_t)g &&
				  t->shape[3] == (uint64_t)g);
			cr_assert_str_eq(t->dims[0], "anchor");
			cr_assert_str_eq(t->dims[1], "entry");
			cr_assert_str_eq(t->dims[3], "W");
			snprintf(p, sizeof p, "%s/darknet/%s.yolo%d.f32", dir,
				 stems[s], layers[k]);
			want = read_f32(p, n);
			for (size_t j = 0; j < n; j++) {
				size_t e = (j / ((size_t)g * g)) % 85;
				double d = fabs(((const float *)t->data)[j] -
						want[j]);

				if (e == 2 || e == 3)
					mr = fmax(mr, d);
				else
					ml = fmax(ml, d);
			}
			free(want);
		}
		cr_log_info("--raw %s: max |diff| logistic %.3g, raw w/h %.3g",
			    stems[s], ml, mr);
		cr_assert_leq(ml, 1e-4, "%s: logistic entries differ by %g",
			      stems[s], ml);
		cr_assert_leq(mr, 5e-4, "%s: raw w/h differ by %g", stems[s],
			      mr);
	}
	cr_assert_eq(vt_reader_next(rd, &rec, &err), 0);
	vt_record_release(&rec);
	vt_reader_close(rd);
	free(buf);
	for (int s = 0; s < 3; s++)
		free(paths[s]);
	vt_dn_net_free(net);
}

/*
 * --resize stretch against OpenCV DNN's outputs stored in the fixture
 * (opencv/<stem>.yolo_<layer>.npy, [H*W*A, 85], rows y, x, anchor: x, y
 * relative centre, w, h relative, objectness, objectness x class zeroed
 * where <= 0.2), mapped back to darknet's layout: within 3e-4.
 * test/interop/yolo_opencv.py runs OpenCV live on more models.
 */
/* One OpenCV row (cell y, x, anchor a of a g x g [yolo] layer) against
 * vt's raw output v in darknet's layout. */
static void cell_diff(const float *row, const float *v, int a, int y, int x,
		      int g, const float *anchor, double *worst, size_t *kept)
{
	size_t hw = (size_t)g * g;
	size_t at = (size_t)a * 85 * hw + (size_t)y * g + x;
	double obj = v[at + 4 * hw], d[5] = {
		row[0] * g - x - v[at],
		row[1] * g - y - v[at + hw],
		log(row[2] * 416.0 / anchor[0]) - v[at + 2 * hw],
		log(row[3] * 416.0 / anchor[1]) - v[at + 3 * hw],
		row[4] - obj,
	};

	for (int e = 0; e < 5; e++)
		*worst = fmax(*worst, fabs(d[e]));
	for (int c = 0; c < 80; c++) {
		double mine = obj * v[at + (5 + (size_t)c) * hw];

		if (row[5 + c] > 0) {
			++*kept;
			*worst = fmax(*worst, fabs(row[5 + c] - mine));
		} else {
			cr_assert_leq(mine, 0.2 + 3e-4);
		}
	}
}

Test(darknet_raw, stretch_matches_opencv_dnn)
{
	const char *dir = fixtures();
	static const char *const stems[] = { "dog", "eagle", "scream" };
	static const float anchors[2][6] = {
		{ 81, 82, 135, 169, 344, 319 }, { 10, 14, 23, 27, 37, 58 },
	};
	char *paths[3], p[256], wp[256], *buf;
	struct vt_dn_net *net;
	struct vt_reader *rd;
	struct vt_record rec;
	struct vt_err err = { 0 };
	size_t len;

	if (!dir)
		cr_skip_test("../shared/fixtures/yolo not present");
	snprintf(p, sizeof p, "%s/model/yolov3-tiny.cfg", dir);
	snprintf(wp, sizeof wp, "%s/model/yolov3-tiny-synth-s1.weights", dir);
	net = load(p, wp);
	for (int s = 0; s < 3; s++) {
		snprintf(p, sizeof p, "%s/images/%s.png", dir, stems[s]);
		paths[s] = strdup(p);
	}
	buf = raw_stream(net, paths, 3, 1, VT_DN_STRETCH, &len);
	cr_assert_eq(vt_reader_open_mem(&rd, buf, len, "mem", NULL, &err), 0);
	vt_record_init(&rec);
	for (int s = 0; s < 3; s++) {
		double worst = 0;
		size_t kept = 0;

		cr_assert_eq(vt_reader_next(rd, &rec, &err), 1, "%s", err.msg);
		cr_assert_str_eq(vt_record_meta_get(&rec, "resize"), "stretch");
		for (int k = 0; k < 2; k++) {
			int layer = k ? 23 : 16, g = k ? 26 : 13;
			char name[16];
			const struct vt_tensor *t;
			const float *v;
			struct vt_tensor cv;

			snprintf(name, sizeof name, "yolo%d", layer);
			t = vt_record_find(&rec, name);
			cr_assert_not_null(t);
			v = t->data;
			snprintf(p, sizeof p, "%s/opencv/%s.yolo_%d.npy", dir,
				 stems[s], layer);
			cr_assert_eq(vt_npy_load(p, &cv, &err), 0, "%s", err.msg);
			cr_assert(cv.rank == 2 && cv.shape[0] == 3u * g * g &&
				  cv.shape[1] == 85 && cv.dtype == VT_F32);
			for (int y = 0; y < g; y++)
				for (int x = 0; x < g; x++)
					for (int a = 0; a < 3; a++)
						cell_diff((const float *)cv.data +
							  (((size_t)y * g + x) * 3 + a) * 85,
							  v, a, y, x, g,
							  anchors[k] + 2 * a,
							  &worst, &kept);
			vt_tensor_release(&cv);
		}
		cr_log_info("stretch %s: max |vt - OpenCV| %.3g (%zu class "
			    "entries kept by OpenCV)", stems[s], worst, kept);
		cr_assert_leq(worst, 3e-4, "%s: %g", stems[s], worst);
	}
	vt_record_release(&rec);
	vt_reader_close(rd);
	free(buf);
	for (int s = 0; s < 3; s++)
		free(paths[s]);
	vt_dn_net_free(net);
}

Test(darknet_raw, record_layout_and_metadata)
{
	struct vt_dn_net *net = load("data/yolo/tiny.cfg", NULL);
	struct vt_err err = { 0 };
	struct vt_record rec;
	float *raw;
	size_t n = vt_dn_raw_n(net);

	cr_assert_eq(n, (size_t)3 * 7 * 16 * 16);
	raw = calloc(n, sizeof *raw);
	for (size_t i = 0; i < net->layers[3].out_n; i++)
		net->layers[3].out[i] = (float)i;
	vt_dn_raw_copy(net, raw);
	cr_assert(raw[0] == 0 && raw[n - 1] == (float)(n - 1));
	vt_record_init(&rec);
	cr_assert_eq(vt_dn_raw_record(net, raw, "a.png", 7, 5, VT_DN_STRETCH,
				      &rec, &err), 0, "%s", err.msg);
	cr_assert_str_eq(vt_record_meta_get(&rec, "width"), "7");
	cr_assert_str_eq(vt_record_meta_get(&rec, "height"), "5");
	cr_assert_str_eq(vt_record_meta_get(&rec, "resize"), "stretch");
	cr_assert_str_eq(vt_record_meta_get(&rec, "yolo3.anchors"),
			 "4,6,8,10,12,16");
	cr_assert_eq(rec.n_tensors, 1u);
	cr_assert_str_eq(rec.tensors[0].name, "yolo3");
	cr_assert_eq(rec.tensors[0].data, (void *)raw);
	vt_record_release(&rec);
	free(raw);
	vt_dn_net_free(net);
}

Test(darknet_profile, table_has_every_layer_and_a_total)
{
	struct vt_dn_net *net = load("data/yolo/tiny.cfg", NULL);
	double s[4] = { 0.002, 0.001, 0.001, 0.0005 };
	struct vt_err err = { 0 };
	char *buf = NULL, line[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int lines = 0;
	double g0 = 2.0 * 8 * 3 * 9 * 32 * 32 * 2 * 1e-9;

	cr_assert_eq(vt_dn_profile_write(f, "mem", net, s, 2, &err), 0);
	fclose(f);
	f = fmemopen(buf, len, "r");
	while (fgets(line, sizeof line, f)) {
		int i;
		char type[32], shape[32];
		double ms, g, gs;

		lines++;
		if (lines == 2) {
			cr_assert_eq(sscanf(line, "%d %31s %31s %lf %lf %lf", &i,
					    type, shape, &ms, &g, &gs), 6, "%s",
				     line);
			cr_assert_str_eq(type, "convolutional");
			cr_assert_str_eq(shape, "8x32x32");
			cr_assert_float_eq(ms, 2.0, 1e-9);
			cr_assert_float_eq(g, g0, 1e-3);
			cr_assert_float_eq(gs, g0 / 0.002, 0.1);
		}
		if (lines == 6)
			cr_assert(strncmp(line, "total  images", 13) == 0, "%s",
				  line);
	}
	fclose(f);
	cr_assert_eq(lines, 6);
	free(buf);
	vt_dn_net_free(net);
}
