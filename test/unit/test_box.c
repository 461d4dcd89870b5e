/* test_box.c - box formats, the IoU family, box sets from text and records.
 *
 * References come from torchvision.ops (scripts/gen-iou-fixtures.py writes
 * test/data/iou/); vt must match them within TOL.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "vt/box.h"

#define TOL 1e-6

/* A box file of test/data/iou through the library's reader. */
static float *load_boxes(const char *file, enum vt_box_format fmt, size_t *n)
{
	struct vt_err err;
	float *boxes;
	int rc = vt_boxes_load(t_data_path("iou", file), fmt, &boxes, n, &err);

	cr_assert_eq(rc, 0, "%s: %s", file, err.msg);
	return boxes;
}

/* A reference matrix of rows x cols numbers ("nan" allowed, '#' lines
 * skipped). */
static double *load_matrix(const char *file, size_t rows, size_t cols)
{
	FILE *f = fopen(t_data_path("iou", file), "r");
	double *v = malloc(rows * cols * sizeof *v);
	char line[65536];
	size_t k = 0;

	cr_assert(f && v, "cannot open %s", file);
	while (fgets(line, sizeof line, f)) {
		char *s = line, *end;

		if (line[0] == '#')
			continue;
		for (;;) {
			double d = strtod(s, &end);

			if (end == s)
				break;
			cr_assert_lt(k, rows * cols, "%s: too many values", file);
			v[k++] = d;
			s = end;
		}
	}
	fclose(f);
	cr_assert_eq(k, rows * cols, "%s: %zu values, expected %zu", file, k,
		     rows * cols);
	return v;
}

static int zero_area(const float *b)
{
	return b[2] == b[0] || b[3] == b[1];
}

static int is_point(const float *b)
{
	return b[2] == b[0] && b[3] == b[1];
}

Test(box, names)
{
	enum vt_box_format f;
	enum vt_box_metric m;

	for (int i = 0; i < VT_BOX_FORMAT_COUNT; i++) {
		cr_assert_eq(vt_box_format_parse(vt_box_format_name(i), &f), 0);
		cr_assert_eq((int)f, i);
	}
	for (int i = 0; i < VT_BOX_METRIC_COUNT; i++) {
		cr_assert_eq(vt_box_metric_parse(vt_box_metric_name(i), &m), 0);
		cr_assert_eq((int)m, i);
	}
	cr_assert_str_eq(vt_box_metric_name(VT_BOX_CIOU), "ciou");
	cr_assert_str_eq(vt_box_format_name(VT_BOX_CXCYWH), "cxcywh");
	cr_assert_null(vt_box_metric_name(VT_BOX_METRIC_COUNT));
	cr_assert_null(vt_box_format_name(VT_BOX_FORMAT_COUNT));
	cr_assert_eq(vt_box_metric_parse("IoU", &m), VT_EINVAL);
	cr_assert_eq(vt_box_format_parse("", &f), VT_EINVAL);
	cr_assert_eq(vt_box_format_parse(NULL, &f), VT_EINVAL);
}

/* The widely copied snippet computes max(x2-x1, ...) without clamping each
 * side and multiplies two negative extents into a positive overlap. */
Test(box, disjoint_boxes_give_zero)
{
	static const float a[4] = {0, 0, 10, 10}, b[4] = {20, 20, 30, 30};
	float out[2];

	cr_assert_eq(vt_box_iou(a, b, 0), 0.0);
	cr_assert_eq(vt_box_iou(b, a, 0), 0.0);
	cr_assert_eq(vt_box_iou(a, b, VT_BOX_LEGACY_PIXEL), 0.0);
	cr_assert_eq(vt_box_iou_matrix(out, a, 1, b, 1, VT_BOX_IOU, 0), 0);
	cr_assert_eq(out[0], 0.0f);
	cr_assert_eq(vt_box_iou_pairwise(out, a, b, 1, VT_BOX_IOU, 0), 0);
	cr_assert_eq(out[0], 0.0f);
	/* GIoU of disjoint boxes is negative, never above 0 */
	cr_assert_lt(vt_box_pair(a, b, VT_BOX_GIOU, 0), 0.0);
}

Test(box, known_values)
{
	static const float a[4] = {0, 0, 10, 10}, b[4] = {5, 5, 15, 15};
	static const float c[4] = {10, 0, 20, 10};
	double iou = 25.0 / 175.0;

	cr_assert_float_eq(vt_box_iou(a, b, 0), iou, 1e-15);
	cr_assert_float_eq(vt_box_pair(a, b, VT_BOX_GIOU, 0),
			   iou - 50.0 / 225.0, 1e-15);
	cr_assert_float_eq(vt_box_pair(a, b, VT_BOX_DIOU, 0),
			   iou - 50.0 / (450.0 + 1e-7), 1e-15);
	/* equal aspect ratios: CIoU is DIoU */
	cr_assert_eq(vt_box_pair(a, b, VT_BOX_CIOU, 0),
		     vt_box_pair(a, b, VT_BOX_DIOU, 0));
	cr_assert_eq(vt_box_iou(a, a, 0), 1.0);
	cr_assert_eq(vt_box_pair(a, a, VT_BOX_GIOU, 0), 1.0);
	/* touching at an edge: no overlap */
	cr_assert_eq(vt_box_iou(a, c, 0), 0.0);
	/* legacy: 11x11 boxes, 6x6 overlap; touching boxes share a column */
	cr_assert_float_eq(vt_box_iou(a, b, VT_BOX_LEGACY_PIXEL),
			   36.0 / (121.0 + 121.0 - 36.0), 1e-15);
	cr_assert_float_eq(vt_box_iou(a, c, VT_BOX_LEGACY_PIXEL),
			   11.0 / (121.0 + 121.0 - 11.0), 1e-15);
	cr_assert(isnan(vt_box_pair(a, b, VT_BOX_METRIC_COUNT, 0)));
	cr_assert(isnan(vt_box_pair(a, b, VT_BOX_IOU, 2)));
}

Test(box, zero_area_pairs_give_zero)
{
	static const float p[4] = {4, 4, 4, 4}, q[4] = {7, 7, 7, 7};
	static const float l[4] = {3, 3, 3, 8}, box[4] = {0, 0, 10, 10};

	for (int m = 0; m < VT_BOX_METRIC_COUNT; m++) {
		cr_assert_eq(vt_box_pair(p, p, m, 0), 0.0);
		cr_assert_eq(vt_box_pair(p, q, m, 0), 0.0);
		cr_assert_eq(vt_box_pair(l, l, m, 0), 0.0);
		cr_assert_eq(vt_box_pair(l, p, m, 0), 0.0);
	}
	/* a point has no aspect ratio: CIoU is DIoU (torchvision: NaN) */
	cr_assert_eq(vt_box_pair(p, box, VT_BOX_CIOU, 0),
		     vt_box_pair(p, box, VT_BOX_DIOU, 0));
	cr_assert(isfinite(vt_box_pair(l, box, VT_BOX_CIOU, 0)));
	/* legacy: a point is one pixel */
	cr_assert_eq(vt_box_iou(p, p, VT_BOX_LEGACY_PIXEL), 1.0);
}

/* Every metric against torchvision on the fixtures, in float64 and float32. */
static void check_metric(enum vt_box_metric metric)
{
	const char *name = vt_box_metric_name(metric);
	char file[64];
	size_t n, m, nb, nan_seen = 0;
	float *a = load_boxes("a.txt", VT_BOX_XYXY, &n);
	float *b = load_boxes("b.txt", VT_BOX_XYXY, &m);
	float *out = malloc(n * m * sizeof *out);
	double *ref, *ref32, *diou, worst = 0, worst32 = 0;

	cr_assert(n > 20 && m > 20 && out);
	snprintf(file, sizeof file, "ref-%s.txt", name);
	ref = load_matrix(file, n, m);
	snprintf(file, sizeof file, "ref32-%s.txt", name);
	ref32 = load_matrix(file, n, m);
	diou = load_matrix("ref-diou.txt", n, m);
	cr_assert_eq(vt_box_iou_matrix(out, a, n, b, m, metric, 0), 0);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < m; j++) {
			const float *p = a + 4 * i, *q = b + 4 * j;
			double got = out[i * m + j], want = ref[i * m + j];

			cr_assert_eq(got, (float)vt_box_pair(p, q, metric, 0));
			if (isnan(want)) {
				nan_seen++;
				/* torchvision's NaN: two zero-area boxes, or
				 * (CIoU) a point, which has no aspect ratio */
				if (zero_area(p) && zero_area(q))
					want = 0;
				else if (metric == VT_BOX_CIOU &&
					 (is_point(p) || is_point(q)))
					want = diou[i * m + j];
				cr_assert(!isnan(want), "%s: NaN at %zu,%zu",
					  name, i, j);
				cr_assert_eq(got, (float)want, "%s %zu,%zu",
					     name, i, j);
				continue;
			}
			cr_assert(fabs(got - want) <= TOL,
				  "%s[%zu,%zu] = %.9g, torchvision %.9g", name,
				  i, j, got, want);
			if (fabs(got - want) > worst)
				worst = fabs(got - want);
			if (!isnan(ref32[i * m + j])) {
				double d = fabs(got - ref32[i * m + j]);

				cr_assert(d <= TOL,
					  "%s[%zu,%zu] = %.9g, float32 %.9g",
					  name, i, j, got, ref32[i * m + j]);
				if (d > worst32)
					worst32 = d;
			}
		}
	}
	cr_assert_gt(nan_seen, 0, "the fixture should hold zero-area pairs");
	cr_log_info("%s: within %.3g of torchvision float64, %.3g of float32",
		    name, worst, worst32);

	/* pairwise is the diagonal */
	nb = n < m ? n : m;
	cr_assert_eq(vt_box_iou_pairwise(out, a, b, nb, metric, 0), 0);
	for (size_t i = 0; i < nb; i++)
		cr_assert_eq(out[i], (float)vt_box_pair(a + 4 * i, b + 4 * i,
							metric, 0));
	free(a);
	free(b);
	free(out);
	free(ref);
	free(ref32);
	free(diou);
}

Test(box, torchvision_iou) { check_metric(VT_BOX_IOU); }
Test(box, torchvision_giou) { check_metric(VT_BOX_GIOU); }
Test(box, torchvision_diou) { check_metric(VT_BOX_DIOU); }
Test(box, torchvision_ciou) { check_metric(VT_BOX_CIOU); }

Test(box, legacy_pixel_voc)
{
	size_t n, m;
	float *a = load_boxes("a.txt", VT_BOX_XYXY, &n);
	float *b = load_boxes("b.txt", VT_BOX_XYXY, &m);
	float *out = malloc(n * m * sizeof *out);
	double *ref = load_matrix("ref-legacy-iou.txt", n, m);

	cr_assert_eq(vt_box_iou_matrix(out, a, n, b, m, VT_BOX_IOU,
				       VT_BOX_LEGACY_PIXEL), 0);
	for (size_t k = 0; k < n * m; k++)
		cr_assert(fabs(out[k] - ref[k]) <= TOL, "%zu: %.9g vs %.9g",
			  k, out[k], ref[k]);
	free(a);
	free(b);
	free(out);
	free(ref);
}

static void random_boxes(float *b, size_t n, unsigned *s)
{
	for (size_t i = 0; i < 4 * n; i++) {
		*s = *s * 1103515245u + 12345u;
		b[i] = (float)((*s >> 8) % 1000) / 10.0f;
		if (i % 4 >= 2)
			b[i] += b[i - 2];
	}
}

/* Large enough for threads and several blocks with a partial last one. */
Test(box, big_matrix_matches_pairs)
{
	size_t n = 700, m = 1000;
	float *a = malloc(n * 4 * sizeof *a), *b = malloc(m * 4 * sizeof *b);
	float *out = malloc(n * m * sizeof *out);
	unsigned s = 12345;

	cr_assert(a && b && out);
	random_boxes(a, n, &s);
	random_boxes(b, m, &s);
	for (int metric = 0; metric < VT_BOX_METRIC_COUNT; metric++) {
		cr_assert_eq(vt_box_iou_matrix(out, a, n, b, m, metric, 0), 0);
		for (size_t i = 0; i < n; i += 7)
			for (size_t j = 0; j < m; j++)
				cr_assert_eq(out[i * m + j],
					     (float)vt_box_pair(a + 4 * i,
								b + 4 * j,
								metric, 0),
					     "metric %d at %zu,%zu", metric, i,
					     j);
	}
	free(a);
	free(b);
	free(out);
}

Test(box, matrix_arguments)
{
	static const float a[4] = {0, 0, 1, 1};
	float out[1] = {42};

	cr_assert_eq(vt_box_iou_matrix(out, a, 1, a, 1, VT_BOX_METRIC_COUNT, 0),
		     VT_EINVAL);
	cr_assert_eq(vt_box_iou_matrix(out, a, 1, a, 1, VT_BOX_IOU, 4),
		     VT_EINVAL);
	cr_assert_eq(vt_box_iou_matrix(out, a, SIZE_MAX, a, 2, VT_BOX_IOU, 0),
		     VT_EINVAL);
	cr_assert_eq(vt_box_iou_pairwise(out, a, a, 1, -1, 0), VT_EINVAL);
	cr_assert_eq(vt_box_iou_matrix(out, a, 0, a, 1, VT_BOX_IOU, 0), 0);
	cr_assert_eq(vt_box_iou_matrix(out, a, 1, a, 0, VT_BOX_IOU, 0), 0);
	cr_assert_eq(out[0], 42.0f);
}

/* Conversions agree with torchvision's box_convert (float32). */
static void check_format(enum vt_box_format fmt, const char *in,
			 const char *back)
{
	size_t n, nx, no;
	float *x = load_boxes(in, fmt, &n);
	float *want = load_boxes(back, VT_BOX_XYXY, &nx);
	float *orig = load_boxes("a.txt", VT_BOX_XYXY, &no);
	float *round = malloc(n * 4 * sizeof *round);

	cr_assert_eq(n, nx);
	cr_assert_eq(n, no);
	for (size_t k = 0; k < 4 * n; k++)
		cr_assert_eq(x[k], want[k], "%s: value %zu: %.9g vs %.9g", in,
			     k, x[k], want[k]);
	/* xyxy -> fmt -> xyxy loses at most what float32 rounding loses */
	vt_box_convert(round, orig, n, VT_BOX_XYXY, fmt);
	vt_box_convert(round, round, n, fmt, VT_BOX_XYXY);
	for (size_t k = 0; k < 4 * n; k++)
		cr_assert_eq(round[k], want[k], "%s round trip %zu", in, k);
	free(x);
	free(want);
	free(orig);
	free(round);
}

Test(box, formats_xywh) { check_format(VT_BOX_XYWH, "a-xywh.txt", "a-xywh-xyxy.txt"); }
Test(box, formats_cxcywh) { check_format(VT_BOX_CXCYWH, "a-cxcywh.txt", "a-cxcywh-xyxy.txt"); }

Test(box, convert_exact)
{
	static const float xywh[4] = {1, 2, 3, 4}, cxcy[4] = {5, 6, 4, 2};
	float out[4];

	vt_box_convert(out, xywh, 1, VT_BOX_XYWH, VT_BOX_XYXY);
	cr_assert(out[0] == 1 && out[1] == 2 && out[2] == 4 && out[3] == 6);
	vt_box_convert(out, cxcy, 1, VT_BOX_CXCYWH, VT_BOX_XYXY);
	cr_assert(out[0] == 3 && out[1] == 5 && out[2] == 7 && out[3] == 7);
	vt_box_convert(out, out, 1, VT_BOX_XYXY, VT_BOX_CXCYWH);
	cr_assert_arr_eq(out, cxcy, sizeof out);
}

Test(box, problems)
{
	cr_assert_null(vt_box_problem((float[4]){0, 0, 0, 0}, VT_BOX_XYXY));
	cr_assert_str_eq(vt_box_problem((float[4]){5, 0, 4, 1}, VT_BOX_XYXY),
			 "x2 < x1");
	cr_assert_str_eq(vt_box_problem((float[4]){0, 5, 4, 1}, VT_BOX_XYXY),
			 "y2 < y1");
	cr_assert_null(vt_box_problem((float[4]){5, 5, 4, 1}, VT_BOX_XYWH));
	cr_assert_str_eq(vt_box_problem((float[4]){0, 0, -1, 1}, VT_BOX_XYWH),
			 "negative width");
	cr_assert_str_eq(vt_box_problem((float[4]){0, 0, 1, -1},
					VT_BOX_CXCYWH), "negative height");
	cr_assert_str_eq(vt_box_problem((float[4]){0, NAN, 1, 1}, VT_BOX_XYXY),
			 "not a finite number");
	cr_assert_str_eq(vt_box_problem((float[4]){3e38f, 0, 3e38f, 1},
					VT_BOX_XYWH),
			 "corner out of the range of F32");
}

static int parse(const char *text, enum vt_box_format fmt, float **b,
		 size_t *n, struct vt_err *err)
{
	return vt_boxes_parse_text(text, strlen(text), "t.txt", fmt, b, n, err);
}

Test(box, text_parse)
{
	static const char text[] =
		"# header\n"
		"\n"
		"0 0 10 10\r\n"
		"  1.5,2.5 , 3.5\t4.5   # trailing comment\n"
		"   \n"
		"-1e1 -2 0x1p3 1e-3";   /* no final newline */
	static const float want[] = {0, 0, 10, 10, 1.5f, 2.5f, 3.5f, 4.5f,
				     -10, -2, 8, 1e-3f};
	struct vt_err err;
	float *b;
	size_t n;

	cr_assert_eq(parse(text, VT_BOX_XYXY, &b, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 3);
	cr_assert_arr_eq(b, want, sizeof want);
	free(b);
	cr_assert_eq(parse("", VT_BOX_XYXY, &b, &n, &err), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(b);
	cr_assert_eq(parse("# only\n\n", VT_BOX_XYXY, &b, &n, &err), 0);
	cr_assert_eq(n, 0);
	/* converted to xyxy */
	cr_assert_eq(parse("1 2 3 4\n", VT_BOX_XYWH, &b, &n, &err), 0);
	cr_assert(n == 1 && b[2] == 4 && b[3] == 6);
	free(b);
}

static void parse_fails(const char *text, enum vt_box_format fmt,
			const char *msg)
{
	struct vt_err err;
	float *b = (float *)&err;
	size_t n = 99;

	cr_assert_eq(parse(text, fmt, &b, &n, &err), VT_EFORMAT, "%s", text);
	cr_assert_str_eq(err.msg, msg);
	cr_assert_null(b);
	cr_assert_eq(n, 0);
}

Test(box, text_errors)
{
	parse_fails("0 0 1 1\n\n1 2 3\n", VT_BOX_XYXY,
		    "'t.txt': line 3: expected 4 numbers, got 3");
	parse_fails("0 0 1 1 1\n", VT_BOX_XYXY,
		    "'t.txt': line 1: expected 4 numbers, got 5");
	parse_fails("0 0 x 1\n", VT_BOX_XYXY,
		    "'t.txt': line 1: 'x': not a number");
	parse_fails("0 0 1.5.2 1\n", VT_BOX_XYXY,
		    "'t.txt': line 1: '1.5.2': not a number");
	parse_fails("0 nan 1 1\n", VT_BOX_XYXY,
		    "'t.txt': line 1: 'nan': not a finite number");
	parse_fails("0 -inf 1 1\n", VT_BOX_XYXY,
		    "'t.txt': line 1: '-inf': not a finite number");
	parse_fails("0 0 1e39 1\n", VT_BOX_XYXY,
		    "'t.txt': line 1: '1e39': out of the range of F32");
	parse_fails("0 0 1 1\n5 0 4 1\n", VT_BOX_XYXY,
		    "'t.txt': line 2: x2 < x1");
	parse_fails("5 0 -4 1\n", VT_BOX_XYWH,
		    "'t.txt': line 1: negative width");
	parse_fails("5 0 4 -1\n", VT_BOX_CXCYWH,
		    "'t.txt': line 1: negative height");
	parse_fails("0,,0 1 1 1\n", VT_BOX_XYXY,
		    "'t.txt': line 1: expected 4 numbers, got 5");
}

Test(box, text_nul_byte)
{
	static const char text[] = "0 0 1 1\n0 0\0 1 1\n";
	struct vt_err err;
	float *b;
	size_t n;

	cr_assert_eq(vt_boxes_parse_text(text, sizeof text - 1, "t", VT_BOX_XYXY,
					 &b, &n, &err), VT_EFORMAT);
	cr_assert_str_eq(err.msg, "'t': line 2: NUL byte");
}

/* Every malformed box file fails with a line number or a tensor problem. */
Test(box, bad_files)
{
	static const char *const files[] = {
		"iou-three-numbers.txt", "iou-five-numbers.txt", "iou-word.txt",
		"iou-nan.txt", "iou-inf.txt", "iou-overflow.txt",
		"iou-x2-lt-x1.txt", "iou-y2-lt-y1.txt", "iou-long-token.txt",
		"iou-nul.txt", "iou-shape.safetensors",
		"iou-no-boxes.safetensors",
	};
	struct vt_err err;
	float *b;
	size_t n;

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		int rc = vt_boxes_load(t_data_path("bad", files[i]), VT_BOX_XYXY,
				       &b, &n, &err);

		cr_assert_eq(rc, VT_EFORMAT, "%s: %d %s", files[i], rc,
			     err.msg);
		cr_assert(strstr(err.msg, files[i]), "%s", err.msg);
		cr_assert_null(b);
	}
	cr_assert_eq(vt_boxes_load(t_data_path("bad", "iou-negative-w.xywh"),
				   VT_BOX_XYWH, &b, &n, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "line 1: negative width"), "%s", err.msg);
	cr_assert_eq(vt_boxes_load(t_data_path("bad", "iou-shape.safetensors"),
				   VT_BOX_XYXY, &b, &n, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "boxes: shape [3, 5], expected [N,4]"), "%s",
		  err.msg);
}

Test(box, load_record_and_inline)
{
	struct vt_err err;
	size_t n, nt;
	float *rec = load_boxes("a.safetensors", VT_BOX_XYXY, &n);
	float *txt = load_boxes("a.txt", VT_BOX_XYXY, &nt);
	float *b;

	cr_assert_eq(n, nt);
	cr_assert_arr_eq(rec, txt, n * 4 * sizeof *rec);
	free(rec);
	free(txt);

	cr_assert_eq(vt_boxes_load("1 2 3 4", VT_BOX_XYWH, &b, &n, &err), 0,
		     "%s", err.msg);
	cr_assert(n == 1 && b[0] == 1 && b[1] == 2 && b[2] == 4 && b[3] == 6);
	free(b);
	cr_assert_eq(vt_boxes_load("4,3,2,1", VT_BOX_XYXY, &b, &n, &err),
		     VT_EFORMAT);
	cr_assert_str_eq(err.msg, "'4,3,2,1': line 1: x2 < x1");
	cr_assert_eq(vt_boxes_load("1 2 3", VT_BOX_XYXY, &b, &n, &err),
		     VT_EOPEN);
	cr_assert_eq(vt_boxes_load("no/such/file.txt", VT_BOX_XYXY, &b, &n,
				   &err), VT_EOPEN);
	cr_assert(strstr(err.msg, "'no/such/file.txt': cannot open"), "%s",
		  err.msg);
}

/* Written band by band (two bands here), the values are the matrix's. */
Test(box, write_bands)
{
	size_t n = 4500, m = 1000, len = 0;   /* two bands of 4 Mi values */
	float *a = malloc(n * 4 * sizeof *a), *b = malloc(m * 4 * sizeof *b);
	float *want = malloc(n * m * sizeof *want);
	char *buf = NULL;
	struct vt_err err;
	unsigned s = 99;
	FILE *f;

	cr_assert(a && b && want);
	random_boxes(a, n, &s);
	random_boxes(b, m, &s);
	cr_assert_eq(vt_box_iou_matrix(want, a, n, b, m, VT_BOX_GIOU, 0), 0);
	f = open_memstream(&buf, &len);
	cr_assert(f);
	cr_assert_eq(vt_box_iou_write(f, "mem", a, n, b, m, VT_BOX_GIOU, 0,
				      &err), 0, "%s", err.msg);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(len, n * m * sizeof *want);
	cr_assert_arr_eq(buf, want, len);
	free(buf);

	/* text: one row a line, %.9g of the float */
	f = open_memstream(&buf, &len);
	cr_assert_eq(vt_box_iou_write(f, "mem", a, 3, b, 2, VT_BOX_IOU,
				      VT_BOX_WRITE_TEXT, &err), 0);
	cr_assert_eq(fclose(f), 0);
	{
		char line[200];
		float v[4];

		cr_assert_eq(vt_box_iou_matrix(v, a, 2, b, 2, VT_BOX_IOU, 0), 0);
		snprintf(line, sizeof line, "%.9g %.9g\n%.9g %.9g\n",
			 (double)v[0], (double)v[1], (double)v[2], (double)v[3]);
		cr_assert_eq(strncmp(buf, line, strlen(line)), 0, "%s", buf);
	}
	free(buf);

	/* pairs: one value a line */
	f = open_memstream(&buf, &len);
	cr_assert_eq(vt_box_iou_write(f, "mem", a, 2, a, 2, VT_BOX_IOU,
				      VT_BOX_WRITE_TEXT | VT_BOX_WRITE_PAIRWISE,
				      &err), 0);
	cr_assert_eq(fclose(f), 0);
	cr_assert_str_eq(buf, "1\n1\n");
	free(buf);

	cr_assert_eq(vt_box_iou_write(stdout, "x", a, 2, a, 3, VT_BOX_IOU,
				      VT_BOX_WRITE_PAIRWISE, &err), VT_EINVAL);
	cr_assert_eq(vt_box_iou_write(stdout, "x", a, 2, a, 3, VT_BOX_IOU,
				      1u << 20, &err), VT_EINVAL);
	free(a);
	free(b);
	free(want);
}
