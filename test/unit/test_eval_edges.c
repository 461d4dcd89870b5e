/* test_eval_edges.c - COCO edge cases with numbers derived by hand.
 *
 * pycocotools cannot run here, so each case below is small enough to work
 * through COCOeval by hand from the semantics listed in
 * ../shared/fixtures/mapeval/README.md; the derivation is in the comment
 * above each test and vt must agree within TOL.
 *
 * Shared facts used by the derivations (eps = np.spacing(1) = 2^-52):
 *   - pr = tp / (tp + fp + eps).  1/(1+eps) = 1 - 2^-52 (written 1-e
 *     below, within TOL of 1); for n >= 2, n + eps rounds to n, so
 *     n/(n+eps) = 1, 1/(2+eps) = 0.5, 2/(3+eps) = 2/3, 8/(9+eps) = 8/9.
 *   - tp and fp are cumulative; an ignored detection adds a point with
 *     the previous tp and fp (pr 0 if first), so it never changes AP.
 *   - Precision is made non-increasing from the right, then sampled at
 *     the first index with recall >= recThrs[r]; unreached points are 0.
 *   - recThrs[i] = i * 0.01: rec[30] == 0.3 == 6/20, rec[40] == 0.4 ==
 *     8/20, rec[50] == 0.5, but rec[35] = 0.35000000000000003 > 7/20 and
 *     rec[41] = 0.41000000000000003.
 *   - A box matching its GT exactly has IoU 1 >= every threshold
 *     (min(0.95, 1 - 1e-10)); disjoint boxes have IoU 0.  With the same
 *     result at all 10 IoU thresholds, AP is the per-threshold value.
 *   - Area ranges: all [0, 1e10], small [0, 1024], medium [1024, 9216],
 *     large [9216, 1e10]; a range with no non-ignored GT in a category
 *     is -1 there, and -1 values are left out of every mean.
 * Stats are in pycocotools' order: AP, AP50, AP75, APs, APm, APl, AR1,
 * AR10, AR100, ARs, ARm, ARl.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/coco.h"
#include "vt/eval.h"

#include "helpers.h"

#define TOL 1e-12

#define NEAR(got, want)							\
	do {								\
		double g_ = (got), w_ = (want);				\
		cr_expect(fabs(g_ - w_) <= TOL, "%s: %.17g, by hand %.17g", \
			  #got, g_, w_);				\
	} while (0)

struct ev {
	struct vt_eval_set s;
	struct vt_coco_matches m;
	struct vt_coco_result r;
	struct vt_coco_params p;
};

/* JSON written with ' for " (none of these cases has a quote in a
 * string), malloc'd. */
static char *js(const char *t)
{
	char *j = strdup(t);

	cr_assert_not_null(j);
	for (char *c = j; *c; c++)
		if (*c == '\'')
			*c = '"';
	return j;
}

static void ev_run(struct ev *e, const char *gt, const char *dt)
{
	char *g = js(gt), *d = js(dt);
	struct vt_err err;

	vt_eval_set_init(&e->s);
	vt_coco_params_default(&e->p);
	cr_assert_eq(vt_coco_read_gt(&e->s, g, strlen(g), "gt.json", &err), 0,
		     "%s", err.msg);
	cr_assert_eq(vt_coco_read_dt(&e->s, d, strlen(d), "dt.json", &err), 0,
		     "%s", err.msg);
	cr_assert_eq(vt_coco_match(&e->m, &e->s, &e->p, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(vt_coco_accumulate(&e->r, &e->m, &e->p, &err), 0, "%s",
		     err.msg);
	vt_coco_summarize(&e->r, &e->p);
	free(g);
	free(d);
}

static void ev_free(struct ev *e)
{
	vt_coco_result_release(&e->r);
	vt_coco_matches_release(&e->m);
	vt_eval_set_release(&e->s);
}

static void expect_stats(const struct ev *e, const double want[12])
{
	for (int i = 0; i < 12; i++)
		cr_expect(fabs(e->r.stats[i] - want[i]) <= TOL,
			  "stat %d: %.17g, by hand %.17g", i, e->r.stats[i],
			  want[i]);
}

static long cat(const struct ev *e, int64_t id)
{
	long k = vt_eval_set_cat_index(&e->s, id);

	cr_assert_geq(k, 0, "category %lld", (long long)id);
	return k;
}

/* AP (ap) or AR of one category at maxDets 100; iou < 0: all. */
static double cat_mean(const struct ev *e, int64_t id, bool ap, double iou,
		       const char *area)
{
	return vt_coco_mean(&e->r, &e->p, ap, cat(e, id), iou, area, 100);
}

/* precision[t][ri][k][area 'all'][maxDets 100] */
static double prec(const struct ev *e, size_t t, size_t ri, int64_t id)
{
	const struct vt_coco_result *r = &e->r;

	return r->precision[(((t * r->R + ri) * r->K + (size_t)cat(e, id)) *
			     r->A + 0) * r->M + (r->M - 1)];
}

/* ---- 1. score ties across images ------------------------------------ */

/* Images 10 and 2 (listed in that order), one GT [0,0,10,10] on each.
 * Each image has one detection of score 0.5: a perfect one (TP at every
 * threshold) and one at [50,50,10,10] (FP).  npig = 2.
 *
 * accumulate concatenates the images by ascending id and sorts stably,
 * so image 2's detection comes first whatever the order in dt.json.
 *
 * FP on image 2: [FP, TP]: tp [0,1], fp [1,1], rc [0, .5],
 *   pr [0, 1/(2+eps)] = [0, .5] -> monotone [.5, .5]; recThrs 0..0.50
 *   (51 points, rec[50] == 0.5) give .5, the 50 above 0.5 give 0:
 *   AP = 51 * .5 / 101 = 25.5/101 at every IoU threshold.
 * TP on image 2: [TP, FP]: rc [.5, .5], pr [1-e, .5] -> [1-e, .5]: the
 *   51 points all sample index 0: AP = 51/101.
 * In both: recall .5 at every threshold and maxDets (one detection per
 * image), so AR1 = AR10 = AR100 = .5; everything is small (GT area 100,
 * detections 10x10): APs = AP, ARs = .5, medium and large -1. */
static const char tie_gt[] =
	"{'images':[{'id':10},{'id':2}],"
	"'categories':[{'id':1,'name':'a'}],'annotations':["
	"{'id':1,'image_id':2,'category_id':1,'bbox':[0,0,10,10],'area':100},"
	"{'id':2,'image_id':10,'category_id':1,'bbox':[0,0,10,10],'area':100}]}";

Test(eval_edges, tie_across_images_lower_id_first)
{
	struct ev e;
	const double fp_first = 25.5 / 101, tp_first = 51.0 / 101;

	/* dt.json lists image 10's TP first; image 2's FP still leads */
	ev_run(&e, tie_gt,
	       "[{'image_id':10,'category_id':1,'bbox':[0,0,10,10],'score':0.5},"
	       "{'image_id':2,'category_id':1,'bbox':[50,50,10,10],'score':0.5}]");
	expect_stats(&e, (const double[12]){ fp_first, fp_first, fp_first,
		     fp_first, -1, -1, .5, .5, .5, .5, -1, -1 });
	cr_expect_eq(e.m.img[0], (uint32_t)vt_eval_set_img_index(&e.s, 2));
	ev_free(&e);

	/* the same file order with the boxes swapped: TP on image 2 leads */
	ev_run(&e, tie_gt,
	       "[{'image_id':10,'category_id':1,'bbox':[50,50,10,10],'score':0.5},"
	       "{'image_id':2,'category_id':1,'bbox':[0,0,10,10],'score':0.5}]");
	expect_stats(&e, (const double[12]){ tp_first, tp_first, tp_first,
		     tp_first, -1, -1, .5, .5, .5, .5, -1, -1 });
	ev_free(&e);
}

/* ---- 2. score ties within an image ---------------------------------- */

/* One GT [0,0,10,10]; X = [0,0,10,10] (IoU 1) and Y = [0,0,10,13]
 * (inter 100, union 130 + 100 - 100 = 130, IoU 0.769...: at or above
 * the 6 thresholds 0.50..0.75, below the 4 from 0.80), both score 0.7.
 * The sort is stable, so dt.json's order decides who matches first.
 *
 * Y then X: at t <= .75 Y takes the GT and X (GT taken, not crowd) is
 *   FP: [TP, FP]: rc [1, 1], pr [1-e, .5]: all 101 points 1-e.  At
 *   t >= .8 Y is FP and X takes the GT: [FP, TP]: rc [0, 1],
 *   pr [0, .5] -> [.5, .5]: all 101 points .5.
 *   AP = (6 * 1 + 4 * .5) / 10 = .8; AP50 = AP75 = 1.  AR100 = AR10 = 1
 *   (the GT is found at every threshold); AR1 keeps Y only: recall 1 at
 *   6 thresholds, 0 at 4: .6.  All small.
 * X then Y: X is TP at every threshold, Y FP: AP = 1, AR1 = 1. */
static const char one_gt[] =
	"{'images':[{'id':1}],'categories':[{'id':1,'name':'a'}],"
	"'annotations':[{'id':1,'image_id':1,'category_id':1,"
	"'bbox':[0,0,10,10],'area':100}]}";

Test(eval_edges, tie_within_image_keeps_file_order)
{
	struct ev e;

	ev_run(&e, one_gt,
	       "[{'image_id':1,'category_id':1,'bbox':[0,0,10,13],'score':0.7},"
	       "{'image_id':1,'category_id':1,'bbox':[0,0,10,10],'score':0.7}]");
	expect_stats(&e, (const double[12]){ .8, 1, 1, .8, -1, -1, .6, 1, 1, 1,
		     -1, -1 });
	ev_free(&e);

	ev_run(&e, one_gt,
	       "[{'image_id':1,'category_id':1,'bbox':[0,0,10,10],'score':0.7},"
	       "{'image_id':1,'category_id':1,'bbox':[0,0,10,13],'score':0.7}]");
	expect_stats(&e, (const double[12]){ 1, 1, 1, 1, -1, -1, 1, 1, 1, 1,
		     -1, -1 });
	ev_free(&e);
}

/* ---- 3. degenerate boxes -------------------------------------------- */

/* Category 1 'thin': GT [5,5,0,10] (zero width, area field 0) with an
 * identical detection (score .9), and GT [40,40,10,0] (zero height,
 * area 0) under a detection [35,35,20,20] that covers it (score .8).
 * bbIou: w or h <= 0 gives IoU 0, even for a box and itself, so both
 * detections are FP (their areas 0 and 400 are inside 'all' and 'small',
 * both bounds inclusive, so they are not ignored): npig 2, tp 0:
 * AP = 0, AR = 0 (rc [0, 0]; rec[0] = 0 samples pr 0, the rest unreached).
 *
 * Category 2 'box': GT [20,20,10,10] (area 100), Z = [20,25,10,0]
 * (zero height, lying across the GT, score .9) and X = [20,20,10,10]
 * (identical to the GT, score .8).  Z: h = min(25,30) - max(25,20) = 0,
 * IoU 0: FP; X: IoU 1: TP at every threshold.  [FP, TP]: rc [0, 1],
 * pr [0, .5] -> [.5, .5]: AP = .5, AR100 = 1, AR1 (Z only) = 0.
 *
 * Means: AP = AP50 = AP75 = APs = (0 + .5)/2 = .25; AR1 = 0;
 * AR10 = AR100 = ARs = (0 + 1)/2 = .5; every GT area (0, 0, 100) is
 * small, so medium and large are -1. */
Test(eval_edges, degenerate_boxes)
{
	struct ev e;

	ev_run(&e,
	       "{'images':[{'id':1}],'categories':[{'id':1,'name':'thin'},"
	       "{'id':2,'name':'box'}],'annotations':["
	       "{'id':1,'image_id':1,'category_id':1,'bbox':[5,5,0,10],'area':0},"
	       "{'id':2,'image_id':1,'category_id':1,'bbox':[40,40,10,0],'area':0},"
	       "{'id':3,'image_id':1,'category_id':2,'bbox':[20,20,10,10],"
	       "'area':100}]}",
	       "[{'image_id':1,'category_id':1,'bbox':[5,5,0,10],'score':0.9},"
	       "{'image_id':1,'category_id':1,'bbox':[35,35,20,20],'score':0.8},"
	       "{'image_id':1,'category_id':2,'bbox':[20,25,10,0],'score':0.9},"
	       "{'image_id':1,'category_id':2,'bbox':[20,20,10,10],'score':0.8}]");
	expect_stats(&e, (const double[12]){ .25, .25, .25, .25, -1, -1, 0, .5,
		     .5, .5, -1, -1 });
	NEAR(cat_mean(&e, 1, true, -1, "all"), 0);
	NEAR(cat_mean(&e, 1, false, -1, "all"), 0);
	NEAR(cat_mean(&e, 2, true, -1, "all"), .5);
	NEAR(cat_mean(&e, 2, true, 0.95, "all"), .5);
	NEAR(cat_mean(&e, 2, false, -1, "all"), 1);
	ev_free(&e);
}

/* ---- 4. recall landing exactly on a threshold ----------------------- */

/* 20 GT boxes [30i, 0, 10, 10] (area 100) on one image; detections:
 * ntp perfect ones on GT 0..ntp-1 with falling scores, then (tail) one
 * FP far away and one more perfect detection on GT ntp. */
static void recall_case(struct ev *e, int ntp, bool tail)
{
	char gt[4096], dt[4096];
	int n = 0, i;

	n = snprintf(gt, sizeof gt, "{'images':[{'id':1}],'categories':"
		     "[{'id':1,'name':'a'}],'annotations':[");
	for (i = 0; i < 20; i++)
		n += snprintf(gt + n, sizeof gt - (size_t)n,
			      "%s{'id':%d,'image_id':1,'category_id':1,"
			      "'bbox':[%d,0,10,10],'area':100}", i ? "," : "",
			      i + 1, 30 * i);
	snprintf(gt + n, sizeof gt - (size_t)n, "]}");
	n = snprintf(dt, sizeof dt, "[");
	for (i = 0; i < ntp; i++)
		n += snprintf(dt + n, sizeof dt - (size_t)n,
			      "%s{'image_id':1,'category_id':1,"
			      "'bbox':[%d,0,10,10],'score':0.%02d}",
			      i ? "," : "", 30 * i, 90 - i);
	if (tail)
		n += snprintf(dt + n, sizeof dt - (size_t)n,
			      ",{'image_id':1,'category_id':1,"
			      "'bbox':[1000,1000,10,10],'score':0.50},"
			      "{'image_id':1,'category_id':1,"
			      "'bbox':[%d,0,10,10],'score':0.40}", 30 * ntp);
	snprintf(dt + n, sizeof dt - (size_t)n, "]");
	cr_assert_lt(strlen(dt) + 1, sizeof dt);
	ev_run(e, gt, dt);
}

/* 7 of 20 found, no FP: rc = k/20 for k = 1..7, pr [1-e, 1, ..., 1] ->
 * all 1.  The largest recall is 7/20 = 0.35 (the double nearest), below
 * rec[35] = 0.35000000000000003: points 0..34 give 1, point 35 and
 * above are unreached and give 0: AP = 35/101 at every threshold,
 * AR100 = .35, AR1 = 1/20 = .05, AR10 = .35.
 *
 * Contrast, 6 of 20: the largest recall 6/20 = 0.3 is the same double as
 * rec[30] = 30 * 0.01, so point 30 is reached: 31 points give 1:
 * AP = 31/101, AR100 = .3. */
Test(eval_edges, recall_exactly_on_threshold)
{
	struct ev e;

	recall_case(&e, 7, false);
	cr_assert_eq(e.p.rec[35], 0.35000000000000003);
	cr_assert_lt(7.0 / 20, e.p.rec[35]);
	expect_stats(&e, (const double[12]){ 35.0 / 101, 35.0 / 101,
		     35.0 / 101, 35.0 / 101, -1, -1, .05, .35, .35, .35, -1,
		     -1 });
	for (size_t t = 0; t < 10; t++) {
		NEAR(prec(&e, t, 34, 1), 1);
		NEAR(prec(&e, t, 35, 1), 0);
	}
	ev_free(&e);

	recall_case(&e, 6, false);
	cr_assert_eq(e.p.rec[30], 6.0 / 20);
	expect_stats(&e, (const double[12]){ 31.0 / 101, 31.0 / 101,
		     31.0 / 101, 31.0 / 101, -1, -1, .05, .3, .3, .3, -1, -1 });
	for (size_t t = 0; t < 10; t++) {
		NEAR(prec(&e, t, 30, 1), 1);
		NEAR(prec(&e, t, 31, 1), 0);
	}
	ev_free(&e);
}

/* 7 TP, then an FP (score .5), then an 8th TP (score .4):
 *   index  0..6       7         8
 *   tp     1..7       7         8
 *   fp     0          1         1
 *   rc     k/20       .35       .4
 *   pr     1-e,1..1   7/8       8/(9+eps) = 8/9
 * monotone: indices 0..6 stay 1, index 7 becomes 8/9.
 * rec[0..34] <= .35 sample indices 0..6: 1 (35 points).  rec[35] =
 * 0.35000000000000003 is above rc[7] = .35, so it samples index 8: 8/9
 * (not the 1 it would get if it were 0.35).  rec[36..40] (rec[40] ==
 * 0.4 == 8/20) also sample index 8: 8/9, 6 points in all.
 * rec[41] = 0.41000000000000003 and above: 0.
 * AP = (35 + 6 * 8/9) / 101 = 121/303; AR100 = .4; AR10: the 10 best are
 * all 9 detections: .4; AR1 .05. */
Test(eval_edges, recall_threshold_takes_next_point)
{
	struct ev e;
	const double ap = (35 + 6 * (8.0 / 9)) / 101;

	recall_case(&e, 7, true);
	cr_expect(fabs(ap - 121.0 / 303) <= TOL);
	expect_stats(&e, (const double[12]){ ap, ap, ap, ap, -1, -1, .05, .4,
		     .4, .4, -1, -1 });
	for (size_t t = 0; t < 10; t++) {
		NEAR(prec(&e, t, 34, 1), 1);
		NEAR(prec(&e, t, 35, 1), 8.0 / 9);
		NEAR(prec(&e, t, 40, 1), 8.0 / 9);
		NEAR(prec(&e, t, 41, 1), 0);
	}
	ev_free(&e);
}

/* ---- 5. categories without GT or without detections ----------------- */

/* Categories 1 (GT [0,0,10,10] and a perfect detection), 2 (detections
 * only: on the boxes of categories 1 and 3, but matching is per
 * category), 3 (GT [50,50,10,10], no detection), 4 (nothing).
 *   cat 1: AP = 1-e, AR 1.
 *   cat 2: npig 0: accumulate skips it, precision and recall stay -1.
 *   cat 3: npig 1, no detections: recall 0, every precision point 0:
 *          AP 0, AR 0, and these zeros count.
 *   cat 4: no image has GT or detections: -1.
 * AP = (1 + 0)/2 = .5 (1/3 if cat 2 counted as 0), AR1 = AR10 = AR100 =
 * .5; all GT are small (area 100): APs = ARs = .5, medium, large -1. */
Test(eval_edges, category_without_gt_or_detections)
{
	struct ev e;

	ev_run(&e,
	       "{'images':[{'id':1}],'categories':[{'id':1,'name':'both'},"
	       "{'id':2,'name':'dt-only'},{'id':3,'name':'gt-only'},"
	       "{'id':4,'name':'none'}],'annotations':["
	       "{'id':1,'image_id':1,'category_id':1,'bbox':[0,0,10,10],'area':100},"
	       "{'id':2,'image_id':1,'category_id':3,'bbox':[50,50,10,10],"
	       "'area':100}]}",
	       "[{'image_id':1,'category_id':1,'bbox':[0,0,10,10],'score':0.9},"
	       "{'image_id':1,'category_id':2,'bbox':[0,0,10,10],'score':0.8},"
	       "{'image_id':1,'category_id':2,'bbox':[50,50,10,10],'score':0.7}]");
	expect_stats(&e, (const double[12]){ .5, .5, .5, .5, -1, -1, .5, .5, .5,
		     .5, -1, -1 });
	NEAR(cat_mean(&e, 1, true, -1, "all"), 1);
	NEAR(cat_mean(&e, 2, true, -1, "all"), -1);
	NEAR(cat_mean(&e, 3, true, -1, "all"), 0);
	NEAR(cat_mean(&e, 4, true, -1, "all"), -1);
	NEAR(cat_mean(&e, 1, false, -1, "all"), 1);
	NEAR(cat_mean(&e, 2, false, -1, "all"), -1);
	NEAR(cat_mean(&e, 3, false, -1, "all"), 0);
	NEAR(cat_mean(&e, 4, false, -1, "all"), -1);
	ev_free(&e);
}

/* ---- 6. crowd and area-range-ignored GT ----------------------------- */

/* GT g1 [0,0,10,10] (area 100) and a crowd region [100,100,100,100]
 * (area 10000, iscrowd 1: ignored in every range, npig = 1 everywhere
 * it counts).  Detections by score:
 *   .9  B [110,110,20,20]  crowd IoU = inter / area(det) = 400/400 = 1
 *   .8  C [150,150,30,30]  900/900 = 1: a crowd region matches again
 *   .7  A [0,0,10,10]      g1, IoU 1 (the crowd, sorted after g1, is
 *                          never tried once g1 matched: break)
 *   .65 E [150,190,20,20]  crowd: w 20, h min(210,200)-190 = 10,
 *                          200/400 = .5 exactly
 *   .6  D [300,300,10,10]  nothing: FP
 * t = .50: [ig, ig, TP, ig (E: .5 >= .5), FP]; t >= .55: E is unmatched
 *   (.5 < t), its area 400 is in range: [ig, ig, TP, FP, FP].
 *   Either way tp [0,0,1,1,1], rc [0,0,1,1,1], pr [0,0,1-e,1-e,..]
 *   -> monotone 1-e up to the TP: every point 1-e: AP = 1.
 *   (B and C as FP would give 1/3; the crowd consumed by B, 1/2.)
 * AR100 = AR10 = 1; AR1 keeps B only: 0.  g1 is small: APs = ARs = 1;
 * medium and large have no non-ignored GT: -1.
 * Counts at t = .5: tp 1, fp 1 (D); at t = .55 and above: tp 1, fp 2. */
Test(eval_edges, crowd_matched_many_times)
{
	struct ev e;
	uint64_t tp, fp;

	ev_run(&e,
	       "{'images':[{'id':1}],'categories':[{'id':1,'name':'a'}],"
	       "'annotations':["
	       "{'id':1,'image_id':1,'category_id':1,'bbox':[0,0,10,10],'area':100},"
	       "{'id':2,'image_id':1,'category_id':1,'bbox':[100,100,100,100],"
	       "'area':10000,'iscrowd':1}]}",
	       "[{'image_id':1,'category_id':1,'bbox':[110,110,20,20],'score':0.9},"
	       "{'image_id':1,'category_id':1,'bbox':[150,150,30,30],'score':0.8},"
	       "{'image_id':1,'category_id':1,'bbox':[0,0,10,10],'score':0.7},"
	       "{'image_id':1,'category_id':1,'bbox':[150,190,20,20],'score':0.65},"
	       "{'image_id':1,'category_id':1,'bbox':[300,300,10,10],'score':0.6}]");
	expect_stats(&e, (const double[12]){ 1, 1, 1, 1, -1, -1, 0, 1, 1, 1,
		     -1, -1 });
	vt_coco_counts(&e.m, 0, 0, &tp, &fp);
	cr_expect_eq(tp, 1);
	cr_expect_eq(fp, 1);
	for (size_t t = 1; t < 10; t++) {
		vt_coco_counts(&e.m, 0, t, &tp, &fp);
		cr_expect_eq(tp, 1, "t %zu", t);
		cr_expect_eq(fp, 2, "t %zu", t);
	}
	ev_free(&e);
}

/* GT s [0,0,10,10] with area 100, GT m [100,100,20,20] with area field
 * 2000 (w*h is 400: ranges use the field).  Detections by score:
 *   .95 L [500,500,100,100]  nothing; w*h 10000
 *   .9  M [100,100,20,20]    m, IoU 1; w*h 400
 *   .8  S [0,0,10,10]        s, IoU 1
 * all (npig 2): [FP, TP, TP]: rc [0, .5, 1], pr [0, .5, 2/3] ->
 *   [2/3, 2/3, 2/3]: AP = 2/3; AR100 = 1; AR1 (L only) = 0.
 * small (m ignored: 2000 > 1024; npig 1): L unmatched, 10000 > 1024:
 *   ignored; M matches the ignored m: neither TP nor FP, though its own
 *   400 is small (unmatched it would be an FP: AP .5); S TP.
 *   [ig, ig, TP]: AP = 1, AR = 1.
 * medium (s ignored: 100 < 1024; m counts; npig 1): L unmatched,
 *   10000 > 9216: ignored; M TP (a matched detection's own area does
 *   not matter); S matches the ignored s: neither. [ig, TP, ig]:
 *   AP = 1, AR = 1.
 * large: no non-ignored GT: -1. */
Test(eval_edges, area_ignored_gt_match_is_neither)
{
	struct ev e;

	ev_run(&e,
	       "{'images':[{'id':1}],'categories':[{'id':1,'name':'a'}],"
	       "'annotations':["
	       "{'id':1,'image_id':1,'category_id':1,'bbox':[0,0,10,10],'area':100},"
	       "{'id':2,'image_id':1,'category_id':1,'bbox':[100,100,20,20],"
	       "'area':2000}]}",
	       "[{'image_id':1,'category_id':1,'bbox':[500,500,100,100],'score':0.95},"
	       "{'image_id':1,'category_id':1,'bbox':[100,100,20,20],'score':0.9},"
	       "{'image_id':1,'category_id':1,'bbox':[0,0,10,10],'score':0.8}]");
	expect_stats(&e, (const double[12]){ 2.0 / 3, 2.0 / 3, 2.0 / 3, 1, 1,
		     -1, 0, 1, 1, 1, 1, -1 });
	ev_free(&e);
}

/* ---- equal IoU: the later GT wins ----------------------------------- */

/* g1 [10,0,10,10] and g2 [12,0,10,10] (in this order in gt.json, both
 * area 100).  D1 [11,0,10,10] (.9) overlaps each by 9 x 10:
 * IoU 90/110 = 9/11 = .818 with both; D2 [9,0,10,10] (.8): g1 9/11,
 * g2 70/130 = .538.  The loop keeps a GT whose IoU is not below the
 * best so far, so D1 takes g2, the later one.
 * t = .50 ... .80 (7 thresholds, .818 >= t): D1 -> g2, D2 -> g1:
 *   [TP, TP]: AP 1, recall 1.
 * t = .85, .90, .95: both below t: [FP, FP]: AP 0, recall 0.
 * AP = APs = .7, AP50 = AP75 = 1, AR10 = AR100 = ARs = .7; AR1 keeps D1:
 * recall .5 at 7 thresholds: .35.  (Had D1 taken g1, D2 would be FP
 * from .55 to .80 and AP would be (1 + 6 * 51/101) / 10.) */
Test(eval_edges, equal_iou_goes_to_later_gt)
{
	struct ev e;

	ev_run(&e,
	       "{'images':[{'id':1}],'categories':[{'id':1,'name':'a'}],"
	       "'annotations':["
	       "{'id':1,'image_id':1,'category_id':1,'bbox':[10,0,10,10],'area':100},"
	       "{'id':2,'image_id':1,'category_id':1,'bbox':[12,0,10,10],"
	       "'area':100}]}",
	       "[{'image_id':1,'category_id':1,'bbox':[11,0,10,10],'score':0.9},"
	       "{'image_id':1,'category_id':1,'bbox':[9,0,10,10],'score':0.8}]");
	expect_stats(&e, (const double[12]){ .7, 1, 1, .7, -1, -1, .35, .7, .7,
		     .7, -1, -1 });
	ev_free(&e);
}
