/* test_eval.c - COCO and VOC mAP against pycocotools and Cartucho/mAP.
 *
 * test/data/mapeval/<case>/expected.json hold pycocotools' numbers
 * (cocoapi@8c9bcc3) and Cartucho/mAP's; vt must match them within TOL
 * (1e-12 absolute; in practice they are equal to the last bit).  The
 * largest case stays in ../shared and is skipped when that is absent.
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt/coco.h"
#include "vt/eval.h"
#include "vt/voctxt.h"

#include "helpers.h"

#define TOL 1e-12

/* A fixture file with a terminating NUL. */
static char *text(const char *path, size_t *len)
{
	size_t n;
	unsigned char *b = t_slurp(path, &n);
	char *t = realloc(b, n + 1);

	cr_assert_not_null(t);
	t[n] = '\0';
	if (len)
		*len = n;
	return t;
}

static cJSON *load_json(const char *file)
{
	char *buf = text(file, NULL);
	cJSON *j = cJSON_Parse(buf);

	free(buf);
	cr_assert_not_null(j, "%s", file);
	return j;
}

static int eval_mem(const char *gt, const char *dt, bool fix_id0,
		    struct vt_eval_set *s, struct vt_coco_matches *m,
		    struct vt_coco_result *r, struct vt_coco_params *p,
		    struct vt_err *err)
{
	int rc;

	vt_eval_set_init(s);
	vt_coco_params_default(p);
	p->fix_id0 = fix_id0;
	rc = vt_coco_read_gt(s, gt, strlen(gt), "gt.json", err);
	if (!rc)
		rc = vt_coco_read_dt(s, dt, strlen(dt), "dt.json", err);
	if (!rc)
		rc = vt_coco_match(m, s, p, err);
	if (!rc)
		rc = vt_coco_accumulate(r, m, p, err);
	if (!rc)
		vt_coco_summarize(r, p);
	return rc;
}

static void check_case(const char *dir)
{
	struct vt_eval_set s;
	struct vt_coco_matches m;
	struct vt_coco_result r;
	struct vt_coco_params p;
	struct vt_err err;
	char *gt = text(t_data_path(dir, "gt.json"), NULL);
	char *dt = text(t_data_path(dir, "dt.json"), NULL);
	cJSON *e = load_json(t_data_path(dir, "expected.json")), *x, *pc;
	int i = 0;

	cr_assert_eq(eval_mem(gt, dt, false, &s, &m, &r, &p, &err), 0, "%s",
		     err.msg);
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(e, "stats")) {
		cr_expect(fabs(r.stats[i] - x->valuedouble) <= TOL,
			  "%s: stat %d: %.17g, pycocotools %.17g", dir, i,
			  r.stats[i], x->valuedouble);
		i++;
	}
	cr_assert_eq(i, 12);
	pc = cJSON_GetObjectItem(e, "per_category");
	cJSON_ArrayForEach(x, pc) {
		long k = vt_eval_set_cat_index(&s, strtoll(x->string, NULL, 10));
		struct { const char *key; bool ap; double iou; const char *a; }
		q[] = {
			{ "ap", true, -1, "all" }, { "ap50", true, 0.5, "all" },
			{ "ap75", true, 0.75, "all" }, { "ar100", false, -1, "all" },
			{ "ap_small", true, -1, "small" },
			{ "ap_medium", true, -1, "medium" },
			{ "ap_large", true, -1, "large" },
		};

		cr_assert_geq(k, 0);
		for (size_t j = 0; j < sizeof q / sizeof q[0]; j++) {
			double want = cJSON_GetObjectItem(x, q[j].key)->valuedouble;
			double got = vt_coco_mean(&r, &p, q[j].ap, k, q[j].iou,
						  q[j].a, 100);

			cr_expect(fabs(got - want) <= TOL, "%s: category %s %s: "
				  "%.17g, pycocotools %.17g", dir, x->string,
				  q[j].key, got, want);
		}
	}
	cJSON_Delete(e);
	free(gt);
	free(dt);
	vt_coco_result_release(&r);
	vt_coco_matches_release(&m);
	vt_eval_set_release(&s);
}

#define COCO_CASE(name) \
	Test(eval_coco, name) { check_case("mapeval/" #name); }

COCO_CASE(c00_perfect)
COCO_CASE(c01_basic)
COCO_CASE(c02_empty_images)
COCO_CASE(c03_crowd)
COCO_CASE(c04_area_ranges)
COCO_CASE(c05_maxdets)

Test(eval_coco, c10_mixed_shared)
{
	const char *d = "../../shared/fixtures/mapeval/coco/c10_mixed";

	if (access(t_data_path(d, "expected.json"), R_OK) != 0)
		cr_skip_test("%s is absent", d);
	check_case(d);
}

Test(eval_coco, linspace_last_bits)
{
	struct vt_coco_params p;

	vt_coco_params_default(&p);
	cr_assert_eq(p.iou[8], 0.8999999999999999);
	cr_assert_eq(p.iou[9], 0.95);
	cr_assert_eq(p.rec[35], 0.35000000000000003);
	cr_assert_eq(p.rec[100], 1.0);
}

static const char gt1[] =
	"{\"images\":[{\"id\":1},{\"id\":2}],"
	"\"categories\":[{\"id\":1,\"name\":\"a\"},{\"id\":2,\"name\":\"b\"}],"
	"\"annotations\":["
	"{\"id\":ID,\"image_id\":1,\"category_id\":1,\"bbox\":[10,10,20,20],"
	"\"area\":400,\"iscrowd\":0},"
	"{\"id\":7,\"image_id\":2,\"category_id\":2,\"bbox\":[0,0,50,50],"
	"\"area\":2500}]}";

static char *gt_with_id(const char *id)
{
	static char buf[sizeof gt1 + 16];
	const char *at = strstr(gt1, "ID");

	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - gt1), gt1, id, at + 2);
	return buf;
}

Test(eval_coco, empty_results_give_zero)
{
	struct vt_eval_set s;
	struct vt_coco_matches m;
	struct vt_coco_result r;
	struct vt_coco_params p;
	struct vt_err err;

	cr_assert_eq(eval_mem(gt_with_id("3"), " [ ] ", false, &s, &m, &r,
			      &p, &err), 0, "%s", err.msg);
	cr_assert_eq(r.stats[0], 0.0);
	cr_assert_eq(r.stats[8], 0.0);
	vt_coco_result_release(&r);
	vt_coco_matches_release(&m);
	vt_eval_set_release(&s);
}

static double id_case(const char *id, bool fix)
{
	static const char dt[] =
		"[{\"image_id\":1,\"category_id\":1,\"bbox\":[10,10,20,20],"
		"\"score\":0.9},{\"image_id\":2,\"category_id\":2,"
		"\"bbox\":[0,0,50,50],\"score\":0.8}]";
	struct vt_eval_set s;
	struct vt_coco_matches m;
	struct vt_coco_result r;
	struct vt_coco_params p;
	struct vt_err err;
	double ap;

	cr_assert_eq(eval_mem(gt_with_id(id), dt, fix, &s, &m, &r, &p, &err),
		     0, "%s", err.msg);
	cr_assert_eq(s.n_gt_id0, strcmp(id, "0") == 0 ? 1u : 0u);
	ap = r.stats[0];
	vt_coco_result_release(&r);
	vt_coco_matches_release(&m);
	vt_eval_set_release(&s);
	return ap;
}

/* pycocotools: a match to GT id 0 is a false positive that consumes the
 * GT, so category 'a' gets AP 0 and the mean is 0.5. */
Test(eval_coco, id0_bug_and_fix)
{
	/* precision 1/(1+eps) is 1 - 2^-52, as in pycocotools */
	cr_assert(fabs(id_case("3", false) - 1.0) <= TOL);
	cr_assert(fabs(id_case("0", false) - 0.5) <= TOL);
	cr_assert(fabs(id_case("0", true) - 1.0) <= TOL);
}

static void expect_error(const char *gt, const char *dt, const char *msg)
{
	struct vt_eval_set s;
	struct vt_err err = { 0 };
	int rc;

	vt_eval_set_init(&s);
	rc = vt_coco_read_gt(&s, gt, strlen(gt), "gt.json", &err);
	if (!rc && dt)
		rc = vt_coco_read_dt(&s, dt, strlen(dt), "dt.json", &err);
	cr_expect_eq(rc, VT_EFORMAT, "no error for %s", dt ? dt : gt);
	cr_expect(strstr(err.msg, msg) != NULL, "'%s' lacks '%s'", err.msg,
		  msg);
	vt_eval_set_release(&s);
}

Test(eval_coco, reader_errors)
{
	const char *g = gt_with_id("3");

	expect_error(g, "[{\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3],"
		     "\"score\":1}]", "'dt.json': entry 0: bbox has 3 numbers, "
		     "expected 4");
	expect_error(g, "[{\"image_id\":9,\"category_id\":1,\"bbox\":[1,2,3,4],"
		     "\"score\":1}]", "entry 0: image_id 9 is not in the ground");
	expect_error(g, "[{\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,-3,4],"
		     "\"score\":1}]", "negative width");
	expect_error(g, "[{\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,4]}]",
		     "entry 0: no score");
	expect_error(g, "[{\"image_id\":1.5,\"category_id\":1}]",
		     "image_id is not an integer");
	expect_error(g, "[{\"image_id\":1,\"score\":1e999}]",
		     "score is not a finite number");
	expect_error(g, "[{\"image_id\":1,\"image_id\":1}]", "duplicate key");
	expect_error(g, "[{\"image_id\":1,}]", "line 1, column 16: expected a string");
	expect_error(g, "[] x", "unexpected text");
	expect_error(g, "", "empty input");
	expect_error(g, "{}", "not a COCO results list");
	expect_error(gt_with_id("7"), NULL, "annotation 1: duplicate id 7");
	expect_error("{\"images\":[{\"id\":1},{\"id\":1}],\"categories\":[{\"id\":1}],"
		     "\"annotations\":[]}", NULL, "image 1: duplicate id 1");
	expect_error("{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],"
		     "\"annotations\":[{\"id\":1,\"image_id\":1,"
		     "\"category_id\":5,\"bbox\":[0,0,1,1],\"area\":1}]}",
		     NULL, "annotation 0: category_id 5 is not in categories");
	expect_error("{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],"
		     "\"annotations\":[{\"id\":1,\"image_id\":1,"
		     "\"category_id\":1,\"bbox\":[0,0,1,1]}]}", NULL,
		     "annotation 0: no area");
	expect_error("{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}]}",
		     NULL, "no 'annotations' list");
	expect_error("{\"images\":[{\"file_name\":\"x\\ud800\"}]}", NULL,
		     "lone surrogate");
	expect_error("{\"images\":[{\"id\":01}]}", NULL, "leading zero");
}

Test(eval_coco, unknown_category_dropped)
{
	struct vt_eval_set s;
	struct vt_err err;
	const char *g = gt_with_id("3");
	const char *d = "[{\"image_id\":1,\"category_id\":42,\"bbox\":[1,2,3,4],"
			"\"score\":0.5,\"extra\":{\"a\":[1,{\"b\":null}]}}]";

	vt_eval_set_init(&s);
	cr_assert_eq(vt_coco_read_gt(&s, g, strlen(g), "gt", &err), 0);
	cr_assert_eq(vt_coco_read_dt(&s, d, strlen(d), "dt", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(s.n_dt, 0);
	cr_assert_eq(s.n_dt_dropped, 1);
	vt_eval_set_release(&s);
}

/* Numbers are read as Python reads them (correctly rounded). */
Test(eval_coco, numbers_round_correctly)
{
	const char *g = "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}],"
			"\"annotations\":[]}";
	const char *nums[] = { "0.1", "123.456", "1e-7", "2.5e+3",
		"0.30000000000000004", "12345678901234567890.5",
		"1.7976931348623157e308", "4.9e-324", "-0.0", "0.000001234" };

	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		struct vt_eval_set s;
		struct vt_err err;
		char d[256];

		snprintf(d, sizeof d, "[{\"image_id\":1,\"category_id\":1,"
			 "\"bbox\":[1,2,3,4],\"score\":%s}]", nums[i]);
		vt_eval_set_init(&s);
		cr_assert_eq(vt_coco_read_gt(&s, g, strlen(g), "gt", &err), 0);
		cr_assert_eq(vt_coco_read_dt(&s, d, strlen(d), "dt", &err), 0,
			     "%s", err.msg);
		cr_expect_eq(s.dt[0].score, strtod(nums[i], NULL), "%s",
			     nums[i]);
		vt_eval_set_release(&s);
	}
}

Test(eval_voc, cartucho_sample)
{
	const char *d = "mapeval/cartucho_sample";
	struct vt_eval_set s;
	struct vt_voc_params p;
	struct vt_voc_result r;
	struct vt_err err;
	cJSON *e = load_json(t_data_path(d, "expected.json")), *x;
	size_t n = 0;

	vt_eval_set_init(&s);
	vt_voc_params_default(&p);
	cr_assert_eq(vt_voc_read_dirs(&s, t_data_path(d, "ground-truth"),
				      t_data_path(d, "detection-results"), &err), 0,
		     "%s", err.msg);
	cr_assert_eq(vt_voc_eval(&r, &s, &p, &err), 0, "%s", err.msg);
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(e, "ap")) {
		size_t k;

		for (k = 0; k < s.n_cat; k++)
			if (strcmp(s.cat_name[k], x->string) == 0)
				break;
		cr_assert_lt(k, s.n_cat, "%s", x->string);
		cr_expect(fabs(r.cls[k].ap - x->valuedouble) <= TOL,
			  "%s: %.17g, Cartucho %.17g", x->string, r.cls[k].ap,
			  x->valuedouble);
		n++;
	}
	cr_assert_eq(n, r.n_map);
	cr_expect(fabs(r.map - cJSON_GetObjectItem(e, "mAP")->valuedouble)
		  <= TOL);
	cJSON_Delete(e);
	vt_voc_result_release(&r);
	vt_eval_set_release(&s);
}

/* One class, 2 GT (one difficult), dets: TP 0.9, FP 0.8, difficult hit
 * 0.7 (neither), TP 0.6 on a third GT.  GT non-difficult = 2. */
Test(eval_voc, all_point_and_11_point)
{
	const char *gt = "c 0 0 9 9\nc 20 20 29 29 difficult\nc 40 40 49 49\n";
	const char *dt = "c 0.9 0 0 9 9\nc 0.8 100 100 110 110\n"
			 "c 0.7 20 20 29 29\nc 0.6 40 40 49 49\n";
	struct vt_eval_set s;
	struct vt_voctxt *v = vt_voctxt_new();
	struct vt_voc_params p;
	struct vt_voc_result r;
	struct vt_err err;

	vt_eval_set_init(&s);
	s.n_img = 1;
	cr_assert_eq(vt_voctxt_parse(v, &s, gt, strlen(gt), "gt", 0, true,
				     &err), 0, "%s", err.msg);
	cr_assert_eq(vt_voctxt_parse(v, &s, dt, strlen(dt), "dt", 0, false,
				     &err), 0, "%s", err.msg);
	cr_assert_eq(vt_voctxt_finish(v, &s, &err), 0);
	vt_voc_params_default(&p);
	cr_assert_eq(vt_voc_eval(&r, &s, &p, &err), 0);
	/* rec .5 .5 1, prec 1 .5 .667: 0.5*1 + 0.5*(2/3) */
	cr_expect_eq(r.cls[0].ap, 0.5 * 1 + 0.5 * (2.0 / 3.0));
	cr_expect_eq(r.cls[0].tp, 2);
	cr_expect_eq(r.cls[0].fp, 1);
	vt_voc_result_release(&r);
	p.mode = VT_VOC_11_POINT;
	cr_assert_eq(vt_voc_eval(&r, &s, &p, &err), 0);
	{
		double want = 0;

		for (int k = 0; k <= 10; k++)
			want += (k * 0.1 <= 0.5 ? 1.0 : 2.0 / 3.0) / 11.;
		cr_expect_eq(r.cls[0].ap, want);
	}
	vt_voc_result_release(&r);
	vt_voctxt_free(v);
	vt_eval_set_release(&s);
}

Test(eval_voc, text_errors)
{
	static const struct { const char *text; bool gt; const char *msg; } c[] = {
		{ "c 1 2 3\n", true, "'f.txt': line 1: expected 'class left" },
		{ "\nc 0.5 1 2 3 x\n", false, "line 2: field 6 is not a finite" },
		{ "c 5 0 1 1\n", true, "box has right < left" },
		{ "c nan 0 1 1\n", true, "field 2 is not a finite" },
		{ "\"c 0 0 1 1\n", true, "bad quoted class name" },
		{ "c 0 0 1 1 hard\n", true, "got 6 fields" },
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct vt_eval_set s;
		struct vt_voctxt *v = vt_voctxt_new();
		struct vt_err err = { 0 };

		vt_eval_set_init(&s);
		cr_expect_eq(vt_voctxt_parse(v, &s, c[i].text, strlen(c[i].text),
					     "f.txt", 0, c[i].gt, &err),
			     VT_EFORMAT, "%s", c[i].text);
		cr_expect(strstr(err.msg, c[i].msg) != NULL, "'%s' lacks '%s'",
			  err.msg, c[i].msg);
		vt_voctxt_free(v);
		vt_eval_set_release(&s);
	}
}

Test(eval_voc, quoted_names)
{
	const char *gt = "\"traffic light\" 0 0 9 9\n";
	struct vt_eval_set s;
	struct vt_voctxt *v = vt_voctxt_new();
	struct vt_err err;

	vt_eval_set_init(&s);
	cr_assert_eq(vt_voctxt_parse(v, &s, gt, strlen(gt), "gt", 0, true,
				     &err), 0, "%s", err.msg);
	cr_assert_eq(vt_voctxt_finish(v, &s, &err), 0);
	cr_assert_str_eq(s.cat_name[0], "traffic light");
	vt_voctxt_free(v);
	vt_eval_set_release(&s);
}

Test(eval, numpy_sum)
{
	double a[20000];

	for (int i = 0; i < 20000; i++)
		a[i] = 1.0 / (i + 1);
	/* block structure: 8192 + 8192 + 3616, each pairwise */
	cr_assert_eq(vt_numpy_sum(a, 20000),
		     vt_pairwise_sum(a, 8192) + vt_pairwise_sum(a + 8192, 8192) +
		     vt_pairwise_sum(a + 16384, 3616));
	cr_assert_eq(vt_pairwise_sum(a, 3), (1.0 + 0.5) + 1.0 / 3);
}
