/* test_eval_records.c - detection records and class names as map-eval input.
 *
 * The records are written here with vt_record_write from the detections
 * of a COCO results list with integer boxes, so the record path and the
 * JSON path see the same doubles and must give the same numbers bit for
 * bit.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt/coco.h"
#include "vt/detrec.h"
#include "vt/eval.h"
#include "vt/evalio.h"
#include "vt/record.h"
#include "vt/yolotxt.h"

#include "helpers.h"

static char *text(const char *path, size_t *len)
{
	size_t n;
	unsigned char *b = t_slurp(path, &n);
	char *t = realloc(b, n + 1);

	cr_assert_not_null(t);
	t[n] = '\0';
	*len = n;
	return t;
}

static void load_coco(struct vt_eval_set *s, const char *dt_file)
{
	size_t n;
	char *gt = text(t_data_path("mapeval/records", "gt.json"), &n);
	struct vt_err err;

	vt_eval_set_init(s);
	cr_assert_eq(vt_coco_read_gt(s, gt, n, "gt.json", &err), 0, "%s",
		     err.msg);
	free(gt);
	if (dt_file) {
		char *dt = text(t_data_path("mapeval/records", dt_file), &n);

		cr_assert_eq(vt_coco_read_dt(s, dt, n, "dt.json", &err), 0,
			     "%s", err.msg);
		free(dt);
	}
}

static void add(struct vt_record *r, const char *name, enum vt_dtype dt,
		int rank, const uint64_t *shape, const void *data)
{
	struct vt_tensor t;
	struct vt_err err;

	cr_assert_eq(vt_tensor_init(&t, name, dt, rank, shape, &err), 0);
	if (t.nbytes)
		memcpy(t.data, data, t.nbytes);
	cr_assert_eq(vt_record_add(r, &t, &err), 0, "%s", err.msg);
}

/* One record of n boxes to f. */
static void put(FILE *f, const char *image, size_t n, const float *box,
		const float *score, const int32_t *cls)
{
	struct vt_record r;
	struct vt_err err;

	vt_record_init(&r);
	add(&r, "boxes", VT_F32, 2, (uint64_t[]){ n, 4 }, box);
	if (score)
		add(&r, "scores", VT_F32, 1, (uint64_t[]){ n }, score);
	add(&r, "classes", VT_I32, 1, (uint64_t[]){ n }, cls);
	if (image)
		cr_assert_eq(vt_record_meta_set(&r, "image", image, &err), 0);
	cr_assert_eq(vt_record_meta_set(&r, "width", "64", &err), 0);
	cr_assert_eq(vt_record_meta_set(&r, "height", "48", &err), 0);
	cr_assert_eq(vt_record_write(f, "mem", &r, &err), 0, "%s", err.msg);
	vt_record_release(&r);
}

/* The detections of s as records, one per image named "run/<base>";
 * classes are category indices, or through map (class of category k). */
static char *to_records(const struct vt_eval_set *s, const int32_t *map,
			size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	cr_assert_not_null(f);
	for (size_t i = 0; i < s->n_img; i++) {
		float box[64 * 4], score[64];
		int32_t cls[64];
		size_t n = 0;
		char name[256];
		const char *b = strrchr(s->img_name[i], '/');

		for (size_t j = 0; j < s->n_dt; j++) {
			const struct vt_eval_dt *d = &s->dt[j];

			if (d->img != i)
				continue;
			cr_assert_lt(n, 64);
			box[4 * n] = (float)d->x1;
			box[4 * n + 1] = (float)d->y1;
			box[4 * n + 2] = (float)d->x2;
			box[4 * n + 3] = (float)d->y2;
			score[n] = (float)d->score;
			cls[n++] = map ? map[d->cat] : (int32_t)d->cat;
		}
		snprintf(name, sizeof name, "run/%s", b ? b + 1 : s->img_name[i]);
		put(f, name, n, box, score, cls);
	}
	cr_assert_eq(fclose(f), 0);
	return buf;
}

static void stats(const struct vt_eval_set *s, double *out)
{
	struct vt_coco_params p;
	struct vt_coco_matches m;
	struct vt_coco_result r;
	struct vt_err err;

	vt_coco_params_default(&p);
	cr_assert_eq(vt_coco_match(&m, s, &p, &err), 0, "%s", err.msg);
	cr_assert_eq(vt_coco_accumulate(&r, &m, &p, &err), 0, "%s", err.msg);
	vt_coco_summarize(&r, &p);
	memcpy(out, r.stats, sizeof r.stats);
	vt_coco_result_release(&r);
	vt_coco_matches_release(&m);
}

Test(eval_records, same_numbers_as_coco_json)
{
	struct vt_eval_set a, b;
	double sa[12], sb[12];
	struct vt_err err;
	size_t len;
	char *rec;

	load_coco(&a, "dt.json");
	rec = to_records(&a, NULL, &len);
	cr_assert_eq(vt_eval_fmt_sniff(rec, len), VT_EVAL_TENSOR);
	load_coco(&b, NULL);
	cr_assert_eq(vt_detrec_read_dt(&b, rec, len, "-", NULL, 0, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(b.n_dt, a.n_dt);
	cr_assert_eq(b.n_dt_dropped, 0);
	stats(&a, sa);
	stats(&b, sb);
	cr_assert_eq(memcmp(sa, sb, sizeof sa), 0);
	cr_assert(sa[0] > 0.5);
	free(rec);
	vt_eval_set_release(&a);
	vt_eval_set_release(&b);
}

Test(eval_records, classes_by_names)
{
	/* categories in id order: cat (3), dog (7); names: dog, cat, bird */
	char *names[] = { "dog", "cat", "bird" };
	const int32_t map[] = { 1, 0 };
	struct vt_eval_set a, b;
	double sa[12], sb[12];
	struct vt_err err;
	size_t len;
	char *rec;

	load_coco(&a, "dt.json");
	rec = to_records(&a, map, &len);
	load_coco(&b, NULL);
	cr_assert_eq(vt_detrec_read_dt(&b, rec, len, "-", names, 3, &err), 0,
		     "%s", err.msg);
	stats(&a, sa);
	stats(&b, sb);
	cr_assert_eq(memcmp(sa, sb, sizeof sa), 0);
	free(rec);
	vt_eval_set_release(&b);

	/* without names the same classes are the wrong categories */
	rec = to_records(&a, map, &len);
	load_coco(&b, NULL);
	cr_assert_eq(vt_detrec_read_dt(&b, rec, len, "-", NULL, 0, &err), 0);
	stats(&b, sb);
	cr_assert(sb[0] < sa[0]);
	free(rec);
	vt_eval_set_release(&a);
	vt_eval_set_release(&b);
}

Test(eval_records, unknown_classes_dropped)
{
	const float box[] = { 0, 0, 10, 10, 1, 1, 5, 5 };
	const float score[] = { 0.5f, 0.25f };
	const int32_t cls[] = { 2, 1 };
	char *names[] = { "bird", "cat", "zebra" };
	struct vt_eval_set s;
	struct vt_err err;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	put(f, "a.jpg", 2, box, score, cls);
	fclose(f);
	load_coco(&s, NULL);
	cr_assert_eq(vt_detrec_read_dt(&s, buf, len, "-", NULL, 0, &err), 0);
	cr_assert_eq(s.n_dt, 1);
	cr_assert_eq(s.dt[0].cat, 1);
	cr_assert_eq(s.n_dt_dropped, 1);
	vt_eval_set_release(&s);
	/* by names: class 2 'zebra' is no category; class 1 'cat' is 0 */
	load_coco(&s, NULL);
	cr_assert_eq(vt_detrec_read_dt(&s, buf, len, "-", names, 3, &err), 0);
	cr_assert_eq(s.n_dt, 1);
	cr_assert_eq(s.dt[0].cat, 0);
	cr_assert_eq(s.n_dt_dropped, 1);
	vt_eval_set_release(&s);
	free(buf);
}

static void expect_error(const char *image, size_t n, const float *box,
			 const float *score, const int32_t *cls,
			 char *const *names, size_t n_names, const char *msg)
{
	struct vt_eval_set s;
	struct vt_err err = { 0 };
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	put(f, "c.jpg", 0, box, (const float[]){ 0 }, cls);
	put(f, image, n, box, score, cls);
	fclose(f);
	load_coco(&s, NULL);
	cr_expect_eq(vt_detrec_read_dt(&s, buf, len, "dt.vts", names, n_names,
				       &err), VT_EFORMAT, "%s", msg);
	cr_expect(strstr(err.msg, msg) != NULL, "'%s' lacks '%s'", err.msg,
		  msg);
	vt_eval_set_release(&s);
	free(buf);
}

Test(eval_records, errors)
{
	const float box[] = { 0, 0, 10, 10 }, nan_box[] = { 0, 0, NAN, 10 };
	const float neg[] = { 5, 0, 1, 10 }, score[] = { 0.5f };
	const int32_t cls[] = { 0 }, big[] = { 5 }, minus[] = { -1 };
	char *names[] = { "cat" };

	expect_error("x/d.jpg", 1, box, score, cls, NULL, 0,
		     "'dt.vts': record 1 (image 'x/d.jpg'): no such image");
	expect_error("c.jpg", 1, box, score, cls, NULL, 0,
		     "record 1 (image 'c.jpg'): a second record");
	expect_error(NULL, 1, box, score, cls, NULL, 0,
		     "record 1: no 'image' metadata");
	expect_error("a.jpg", 1, box, NULL, cls, NULL, 0,
		     "no tensor 'scores'");
	expect_error("a.jpg", 1, nan_box, score, cls, NULL, 0,
		     "box 0: not a finite number");
	expect_error("a.jpg", 1, neg, score, cls, NULL, 0,
		     "box 0: x2 < x1 or y2 < y1");
	expect_error("a.jpg", 1, box, score, minus, NULL, 0,
		     "box 0: class -1 is negative");
	expect_error("a.jpg", 1, box, score, big, names, 1,
		     "box 0: class 5 has no name (1 names)");
}

Test(eval_records, wrong_shapes)
{
	struct vt_record r;
	struct vt_eval_set s;
	struct vt_err err;
	const float box[6] = { 0 };
	const int32_t cls[2] = { 0 };
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	vt_record_init(&r);
	add(&r, "boxes", VT_F32, 2, (uint64_t[]){ 2, 3 }, box);
	add(&r, "classes", VT_I32, 1, (uint64_t[]){ 2 }, cls);
	cr_assert_eq(vt_record_meta_set(&r, "image", "a.jpg", &err), 0);
	cr_assert_eq(vt_record_write(f, "mem", &r, &err), 0);
	vt_record_release(&r);
	fclose(f);
	load_coco(&s, NULL);
	cr_assert_eq(vt_detrec_read_dt(&s, buf, len, "dt.vts", NULL, 0, &err),
		     VT_EFORMAT);
	cr_assert_str_eq(err.msg, "'dt.vts': record 0 (image 'a.jpg'): "
			 "boxes: F32 [2, 3], expected F32 [N, 4]");
	vt_eval_set_release(&s);
	free(buf);
}

Test(eval_records, ambiguous_base_name)
{
	const char *gt = "{\"images\": [{\"id\": 1, \"file_name\": \"a/x.jpg\"},"
		"{\"id\": 2, \"file_name\": \"b/x.jpg\"}], \"categories\": "
		"[{\"id\": 1, \"name\": \"c\"}], \"annotations\": []}";
	const float box[] = { 0, 0, 10, 10 }, score[] = { 0.5f };
	const int32_t cls[] = { 0 };
	struct vt_eval_set s;
	struct vt_err err;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	put(f, "b/x.jpg", 1, box, score, cls);   /* exact: fine */
	put(f, "c/x.jpg", 1, box, score, cls);   /* base name: two images */
	fclose(f);
	vt_eval_set_init(&s);
	cr_assert_eq(vt_coco_read_gt(&s, gt, strlen(gt), "gt", &err), 0);
	cr_assert_eq(vt_detrec_read_dt(&s, buf, len, "-", NULL, 0, &err),
		     VT_EFORMAT);
	cr_assert(strstr(err.msg, "record 1 (image 'c/x.jpg'): ambiguous"),
		  "%s", err.msg);
	cr_assert_eq(s.n_dt, 1);
	cr_assert_eq(s.dt[0].img, 1);
	vt_eval_set_release(&s);
	free(buf);
}

Test(eval_records, ground_truth_records)
{
	const float box[] = { 0, 0, 10, 10, 20, 20, 40, 30 };
	const int32_t cls[] = { 1, 0 };
	struct vt_eval_set s;
	struct vt_err err;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	put(f, "z.jpg", 2, box, NULL, cls);
	put(f, "b.jpg", 1, box, NULL, cls);
	fclose(f);
	vt_eval_set_init(&s);
	cr_assert_eq(vt_detrec_read_gt(&s, buf, len, "gt", NULL, 0, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(s.n_img, 2);
	cr_assert_str_eq(s.img_name[0], "b.jpg");
	cr_assert_eq(s.n_cat, 2);
	cr_assert_str_eq(s.cat_name[1], "1");
	cr_assert_eq(s.n_gt, 3);
	cr_assert_eq(s.gt[0].img, 1);
	cr_assert_eq(s.gt[2].img, 0);
	cr_assert_eq(s.gt[1].area, 200);
	cr_assert_eq(s.gt[1].id, 2);
	vt_eval_set_release(&s);
	free(buf);
}

Test(eval_records, sniff_and_names_file)
{
	char path[] = "/tmp/vt-names-XXXXXX", **names;
	size_t n;
	struct vt_err err;
	int fd = mkstemp(path);

	cr_assert_eq(vt_eval_fmt_sniff(" \n[", 3), VT_EVAL_COCO);
	cr_assert_eq(vt_eval_fmt_sniff("{\"images\"", 9), VT_EVAL_COCO);
	cr_assert_eq(vt_eval_fmt_sniff("", 0), VT_EVAL_AUTO);
	cr_assert_eq(vt_eval_fmt_sniff("cat 0 1 2 3", 11), VT_EVAL_AUTO);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "person\r\ntraffic light \n\n", 24), 24);
	cr_assert_eq(vt_names_read(path, &names, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(names[1], "traffic light");
	vt_names_free(names, n);
	cr_assert_eq(write(fd, "car\n", 4), 4);
	cr_assert_eq(vt_names_read(path, &names, &n, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "line 3: empty class name"), "%s", err.msg);
	close(fd);
	unlink(path);
}

Test(eval_yolo, parse_and_errors)
{
	static const struct { const char *text; bool gt; const char *msg; } c[] = {
		{ "0 0.5 0.5 0.25\n", true, "line 1: expected 5 fields, got 4" },
		{ "\n0 0.5 0.5 0.2 0.2\n", false, "line 2: expected 6 fields" },
		{ "x 0.5 0.5 0.2 0.2\n", true, "class 'x' is not a non-negative" },
		{ "-1 0.5 0.5 0.2 0.2\n", true, "class '-1' is not" },
		{ "0 0.5 nan 0.2 0.2\n", true, "field 3 is not a finite" },
		{ "0 0.5 0.5 -0.2 0.2\n", true, "negative width or height" },
	};
	const char *ok = "3 0.5 0.25 0.5 0.25 0.75\n\n";
	struct vt_eval_set s;
	struct vt_err err = { 0 };
	long maxc = -1;

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		vt_eval_set_init(&s);
		cr_expect_eq(vt_yolo_parse(&s, c[i].text, strlen(c[i].text),
					   "a.txt", 0, 64, 32, c[i].gt, &maxc,
					   &err), VT_EFORMAT, "%s", c[i].text);
		cr_expect(strstr(err.msg, c[i].msg) != NULL, "'%s' lacks '%s'",
			  err.msg, c[i].msg);
		vt_eval_set_release(&s);
	}
	vt_eval_set_init(&s);
	cr_assert_eq(vt_yolo_parse(&s, ok, strlen(ok), "a.txt", 2, 64, 32,
				   false, &maxc, &err), 0, "%s", err.msg);
	cr_assert_eq(s.n_dt, 1);
	cr_assert_eq(maxc, 3);
	cr_assert_eq(s.dt[0].x1, 16);
	cr_assert_eq(s.dt[0].x2, 48);
	cr_assert_eq(s.dt[0].y1, 4);
	cr_assert_eq(s.dt[0].y2, 12);
	cr_assert_eq(s.dt[0].score, 0.75);
	cr_assert_eq(s.dt[0].img, 2);
	vt_eval_set_release(&s);
}

Test(eval_records, image_by_numeric_name)
{
	const char *gt = "{\"images\": [{\"id\": 139}, {\"id\": 7, \"file_name\":"
		" \"x.jpg\"}], \"categories\": [{\"id\": 1, \"name\": \"c\"}],"
		" \"annotations\": []}";
	const float box[] = { 0, 0, 10, 10 }, score[] = { 0.5f };
	const int32_t cls[] = { 0 };
	static const char *bad[] = { "run/7.jpg", "140.jpg", "139.tar.gz",
				     "x139.jpg" };
	struct vt_eval_set s;
	struct vt_err err;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	put(f, "run/000000139.jpg", 1, box, score, cls);
	fclose(f);
	vt_eval_set_init(&s);
	cr_assert_eq(vt_coco_read_gt(&s, gt, strlen(gt), "gt", &err), 0);
	cr_assert_eq(vt_detrec_read_dt(&s, buf, len, "-", NULL, 0, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(s.n_dt, 1);
	cr_assert_eq(s.img_id[s.dt[0].img], 139);
	vt_eval_set_release(&s);
	free(buf);
	/* only images without a file name are found by number */
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		buf = NULL;
		f = open_memstream(&buf, &len);
		put(f, bad[i], 1, box, score, cls);
		fclose(f);
		vt_eval_set_init(&s);
		cr_assert_eq(vt_coco_read_gt(&s, gt, strlen(gt), "gt", &err), 0);
		cr_expect_eq(vt_detrec_read_dt(&s, buf, len, "-", NULL, 0, &err),
			     VT_EFORMAT, "%s", bad[i]);
		vt_eval_set_release(&s);
		free(buf);
	}
}
