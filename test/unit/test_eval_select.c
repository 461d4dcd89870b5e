/* test_eval_select.c - --area-ranges and --classes against pycocotools'
 * semantics: each area range is evaluated on its own (so one range alone
 * gives the number it gives among others), bounds are inclusive, and a
 * category subset (params.catIds) gives each kept category the numbers
 * of the full run and means over the subset only.  The records case's
 * numbers for small=0:600 are derived by hand in the comment below. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vt/coco.h"
#include "vt/eval.h"

#include "helpers.h"

static void load(struct vt_eval_set *s, const char *dir)
{
	size_t n;
	unsigned char *gt = t_slurp(t_data_path(dir, "gt.json"), &n);
	struct vt_err err;

	vt_eval_set_init(s);
	cr_assert_eq(vt_coco_read_gt(s, (char *)gt, n, "gt", &err), 0, "%s",
		     err.msg);
	free(gt);
	gt = t_slurp(t_data_path(dir, "dt.json"), &n);
	cr_assert_eq(vt_coco_read_dt(s, (char *)gt, n, "dt", &err), 0, "%s",
		     err.msg);
	free(gt);
}

static void run(const struct vt_eval_set *s, const struct vt_coco_params *p,
		struct vt_coco_result *r)
{
	struct vt_coco_matches m;
	struct vt_err err;

	cr_assert_eq(vt_coco_match(&m, s, p, &err), 0, "%s", err.msg);
	cr_assert_eq(vt_coco_accumulate(r, &m, p, &err), 0, "%s", err.msg);
	vt_coco_summarize(r, p);
	vt_coco_matches_release(&m);
}

Test(eval_select, area_ranges_parse)
{
	struct vt_coco_params p;
	struct vt_err err;
	static const char *bad[] = { "small", "small=1", "small=2:1",
				     "=0:1", "s=0:1,", "s=0:x", "s=-1:2",
				     "s=0:1,s=0:2",
				     "a=0:1,b=0:1,c=0:1,d=0:1,e=0:1,f=0:1,"
				     "g=0:1,h=0:1" };

	vt_coco_params_default(&p);
	cr_assert_eq(vt_coco_params_areas(&p, "tiny=0:16,all=0:100", &err), 0);
	cr_assert_eq(p.n_area, 2);
	cr_assert_str_eq(p.area_lbl[0], "all");
	cr_assert_eq(p.area[0][1], 100);
	cr_assert_str_eq(p.area_lbl[1], "tiny");
	cr_assert_eq(p.area[1][1], 16);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect_eq(vt_coco_params_areas(&p, bad[i], &err), VT_EINVAL,
			     "%s", bad[i]);
}

Test(eval_select, area_ranges_like_pycocotools)
{
	struct vt_coco_params d, p;
	struct vt_coco_result a, b;
	struct vt_eval_set s;
	struct vt_err err;

	load(&s, "mapeval/c04_area_ranges");
	vt_coco_params_default(&d);
	run(&s, &d, &a);
	/* the defaults written out: the same bits */
	vt_coco_params_default(&p);
	cr_assert_eq(vt_coco_params_areas(&p, "small=0:1024,medium=1024:9216,"
					  "large=9216:1e10", &err), 0);
	run(&s, &p, &b);
	cr_assert_eq(memcmp(a.stats, b.stats, sizeof a.stats), 0);
	vt_coco_result_release(&b);
	/* one range alone gives what it gives among the others */
	cr_assert_eq(vt_coco_params_areas(&p, "medium=1024:9216", &err), 0);
	run(&s, &p, &b);
	cr_assert_eq(b.stats[4], a.stats[4]);
	cr_assert_eq(b.stats[10], a.stats[10]);
	cr_assert_eq(b.stats[0], a.stats[0]);
	cr_assert_eq(b.stats[3], -1);
	cr_assert_eq(b.stats[5], -1);
	vt_coco_result_release(&b);
	vt_coco_result_release(&a);
	vt_eval_set_release(&s);
}

/* records case, small=0:600.  Non-ignored GT: cat on a.jpg (504) and dog
 * on b.jpg (560).  cat: the 0.9 detection has IoU 459/531 = 0.864 with
 * it (TP up to 0.85, FP above), the 0.3 one misses (FP, area 320), the
 * others hit ignored GT or are larger than 600: AP 1 at 8 thresholds, 0
 * at 2, 0.8.  dog: the 0.5 detection has IoU 532/628 = 0.847 (TP up to
 * 0.8, then FP: its area 600 is inside the inclusive bound), the 0.25 one
 * misses (FP), the rest hit ignored or crowd GT: AP 1 at 7, 0.7.  AP
 * small = 0.75. */
Test(eval_select, area_range_by_hand)
{
	struct vt_coco_params p;
	struct vt_coco_result r;
	struct vt_eval_set s;
	struct vt_err err;

	load(&s, "mapeval/records");
	vt_coco_params_default(&p);
	cr_assert_eq(vt_coco_params_areas(&p, "small=0:600", &err), 0);
	run(&s, &p, &r);
	/* precision 1 is 1/(1+eps) in pycocotools: within 1e-12 */
	cr_assert(fabs(r.stats[3] - 0.75) < 1e-12, "%.17g", r.stats[3]);
	cr_assert(fabs(vt_coco_mean(&r, &p, true, 0, -1, "small", 100) - 0.8)
		  < 1e-12);
	cr_assert(fabs(vt_coco_mean(&r, &p, true, 1, -1, "small", 100) - 0.7)
		  < 1e-12);
	cr_assert_eq(r.stats[4], -1);
	vt_coco_result_release(&r);
	vt_eval_set_release(&s);
}

Test(eval_select, classes_subset)
{
	struct vt_coco_params p;
	struct vt_coco_result a, b;
	struct vt_eval_set s;
	struct vt_err err;
	double cat;

	load(&s, "mapeval/c01_basic");
	vt_coco_params_default(&p);
	run(&s, &p, &a);
	cr_assert_geq(s.n_cat, 2);
	cat = vt_coco_mean(&a, &p, true, 1, -1, "all", 100);
	{
		char id[32];
		size_t n_gt = 0, n_dt = 0;
		int64_t want = s.cat_id[1];

		for (size_t i = 0; i < s.n_gt; i++)
			n_gt += s.gt[i].cat == 1;
		for (size_t i = 0; i < s.n_dt; i++)
			n_dt += s.dt[i].cat == 1;
		snprintf(id, sizeof id, "%lld", (long long)want);
		cr_assert_eq(vt_eval_set_keep(&s, id, &err), 0, "%s", err.msg);
		cr_assert_eq(s.n_cat, 1);
		cr_assert_eq(s.cat_id[0], want);
		cr_assert_eq(s.n_gt, n_gt);
		cr_assert_eq(s.n_dt, n_dt);
	}
	run(&s, &p, &b);
	cr_assert_eq(b.stats[0], cat);
	cr_assert_eq(vt_eval_set_keep(&s, "no such class", &err), VT_EINVAL);
	cr_assert_str_eq(err.msg, "--classes: 'no such class' is not a class "
			 "of the ground truth");
	vt_coco_result_release(&a);
	vt_coco_result_release(&b);
	vt_eval_set_release(&s);
}

Test(eval_select, iou_and_maxdet_lists)
{
	double v[VT_COCO_MAX_IOU], d[10];
	unsigned md[3];
	size_t n;
	static const char *bad_iou[] = { "", "x", "0.5,0.4", "0.5,1.1",
					 "0.5:0.9", "0.9:0.5:0.1", "0.5:0.95:0",
					 "0:1:0.001" };
	static const char *bad_md[] = { "", "1,10", "0,1,2", "3,2,5",
					"1,10,100x", "1,10,1000001",
					"1,10,100,1000", "1,,3" };

	cr_assert_eq(vt_eval_parse_ious("0.5:0.95:0.05", v, VT_COCO_MAX_IOU,
					&n), 0);
	vt_linspace(d, 10, 0.5, 0.95);
	cr_assert_eq(n, 10);
	cr_assert_eq(memcmp(v, d, sizeof d), 0);
	cr_assert_eq(v[8], 0.8999999999999999);
	cr_assert_eq(vt_eval_parse_ious("0.25,0.5", v, VT_COCO_MAX_IOU, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(v[1], 0.5);
	for (size_t i = 0; i < sizeof bad_iou / sizeof *bad_iou; i++)
		cr_expect_eq(vt_eval_parse_ious(bad_iou[i], v, VT_COCO_MAX_IOU,
						&n), -1, "%s", bad_iou[i]);
	cr_assert_eq(vt_eval_parse_maxdets("1,20,300", md), 0);
	cr_assert_eq(md[2], 300);
	for (size_t i = 0; i < sizeof bad_md / sizeof *bad_md; i++)
		cr_expect_eq(vt_eval_parse_maxdets(bad_md[i], md), -1, "%s",
			     bad_md[i]);
}
