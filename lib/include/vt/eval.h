/* vt/eval.h - detection evaluation: COCO and PASCAL VOC mean Average Precision.
 *
 * A struct vt_eval_set holds what every input format reads into: images,
 * categories, ground-truth boxes and detections, with image and category
 * given as indices.  Images are in evaluation order (ascending COCO id, or
 * file name for text directories), categories in ascending id (COCO) or
 * name order (text formats).
 *
 * COCO protocol (pycocotools COCOeval, iouType 'bbox', exactly):
 *   vt_coco_match       per (image, category) matching (COCOeval.evaluate)
 *   vt_coco_accumulate  precision / recall arrays (COCOeval.accumulate)
 *   vt_coco_summarize   the 12 stats (COCOeval.summarize)
 * VOC protocol (Cartucho/mAP, VOC2010+ all-point, or the VOC2007 11-point
 * variant): vt_voc_eval.
 */
#ifndef VT_EVAL_H
#define VT_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vt/err.h"

/* A ground-truth box.  x2 = x1 + w and y2 = y1 + h for COCO (bbox
 * [x, y, w, h]); for text formats w = x2 - x1, h = y2 - y1. */
struct vt_eval_gt {
	double x1, y1, x2, y2, w, h;
	double area;        /* COCO 'area' field (area ranges use it); w*h else */
	int64_t id;         /* COCO annotation id; index + 1 for other formats */
	uint32_t img, cat;  /* indices into the set's images and categories */
	uint8_t crowd;      /* COCO iscrowd */
	uint8_t difficult;  /* VOC difficult */
};

struct vt_eval_dt {
	double x1, y1, x2, y2, w, h;
	double score;
	uint32_t img, cat;
};

struct vt_eval_set {
	size_t n_img;
	int64_t *img_id;      /* COCO ids (ascending), or 0..n-1 */
	char **img_name;      /* file names, or NULL entries */
	size_t n_cat;
	int64_t *cat_id;      /* COCO ids (ascending), or 0..n-1 */
	char **cat_name;      /* names (never NULL once loaded) */
	size_t n_gt, cap_gt;
	struct vt_eval_gt *gt;
	size_t n_dt, cap_dt;
	struct vt_eval_dt *dt;
	size_t n_dt_dropped;  /* detections of a category not in the set */
	size_t n_gt_id0;      /* COCO annotations with id 0 (pycocotools bug) */
};

void vt_eval_set_init(struct vt_eval_set *s);
void vt_eval_set_release(struct vt_eval_set *s);
/* Append one box (grows the arrays); 0 or VT_ENOMEM. */
int vt_eval_set_add_gt(struct vt_eval_set *s, const struct vt_eval_gt *g,
		       struct vt_err *err);
int vt_eval_set_add_dt(struct vt_eval_set *s, const struct vt_eval_dt *d,
		       struct vt_err *err);
/* Keep only the classes of a comma list (names, or COCO ids where no
 * category has that name), in their order; drop the boxes of the others.
 * As pycocotools' params.catIds: the means run over these classes only.
 * VT_EINVAL "--classes: 'x' is not a class of the ground truth", VT_ENOMEM. */
int vt_eval_set_keep(struct vt_eval_set *s, const char *list,
		     struct vt_err *err);
/* Index of a category or image id by binary search (ids ascending), or -1. */
long vt_eval_set_cat_index(const struct vt_eval_set *s, int64_t id);
long vt_eval_set_img_index(const struct vt_eval_set *s, int64_t id);

/* ---- COCO protocol ---------------------------------------------------- */

/* Class ids in detection records: 0..VT_EVAL_MAX_CLASS (LVIS has 1,203). */
#define VT_EVAL_MAX_CLASS 4095
/* Largest precision table (T x R x K x A x M doubles) accumulate allocates:
 * 1 GiB; pycocotools' default table for 80 classes is 7.8 MB. */
#define VT_COCO_MAX_TABLE (UINT64_C(1) << 30)
#define VT_COCO_MAX_IOU 64
#define VT_COCO_MAX_REC 1001
#define VT_COCO_MAX_AREA 8
#define VT_COCO_MAX_MAXDET 3

struct vt_coco_params {
	size_t n_iou;
	double iou[VT_COCO_MAX_IOU];       /* ascending */
	size_t n_rec;
	double rec[VT_COCO_MAX_REC];       /* ascending */
	size_t n_area;
	double area[VT_COCO_MAX_AREA][2];  /* inclusive bounds */
	char area_lbl[VT_COCO_MAX_AREA][16];
	size_t n_maxdet;                   /* always 3 */
	unsigned maxdet[VT_COCO_MAX_MAXDET];
	bool fix_id0;   /* a match to GT id 0 counts (pycocotools: it does not) */
};

/* pycocotools' defaults: iouThrs linspace(.5, .95, 10), recThrs
 * linspace(0, 1, 101), areas all/small/medium/large, maxDets 1, 10, 100. */
void vt_coco_params_default(struct vt_coco_params *p);
/* IoU thresholds: START:STOP:STEP (numpy.linspace of
 * round((STOP-START)/STEP)+1 values) or an increasing comma list, all in
 * [0, 1], at most max; 0 or -1. */
int vt_eval_parse_ious(const char *s, double *v, size_t max, size_t *n);
/* Three increasing positive numbers A,B,C (at most 1000000); 0 or -1. */
int vt_eval_parse_maxdets(const char *s, unsigned *md);
/* Area ranges "LABEL=MIN:MAX,..." (inclusive bounds, at most
 * VT_COCO_MAX_AREA with 'all'): 'all' = 0:1e10 comes first unless the
 * list sets it; the summary's small/medium/large stats are -1 when the
 * list has no range of that label.  VT_EINVAL with a message. */
int vt_coco_params_areas(struct vt_coco_params *p, const char *spec,
			 struct vt_err *err);
/* x[i] = start + i * ((stop - start) / (n - 1)), x[n-1] = stop: numpy's
 * linspace, to the last bit.  n >= 1. */
void vt_linspace(double *x, size_t n, double start, double stop);

/* The result of matching, per category: the detections kept (the best
 * maxdet[last] of each image by score), sorted as accumulate sorts them
 * (score descending, then image, then rank in its image), with for each
 * area range a bit per IoU threshold: tp (matched a non-ignored GT) and
 * fp (unmatched and not ignored). */
struct vt_coco_matches {
	size_t n_cat, n_area;
	size_t *start;        /* [n_cat + 1]: category k is [start[k], start[k+1]) */
	double *score;        /* [n] */
	uint32_t *img;        /* [n] */
	uint32_t *rank;       /* [n] position in its (image, category) list */
	uint64_t *tp, *fp;    /* [n * n_area] */
	uint64_t *npig;       /* [n_cat * n_area] non-ignored GT */
	uint64_t *n_dt;       /* [n_cat] detections in the input */
};

void vt_coco_matches_release(struct vt_coco_matches *m);
int vt_coco_match(struct vt_coco_matches *out, const struct vt_eval_set *s,
		  const struct vt_coco_params *p, struct vt_err *err);

/* precision [T][R][K][A][M] and recall [T][K][A][M], -1 where undefined. */
struct vt_coco_result {
	size_t T, R, K, A, M;
	double *precision;
	double *recall;
	double stats[12];
};

void vt_coco_result_release(struct vt_coco_result *r);
int vt_coco_accumulate(struct vt_coco_result *out,
		       const struct vt_coco_matches *m,
		       const struct vt_coco_params *p, struct vt_err *err);
/* stats as COCOeval.summarize (AP at maxdet[2], AR at maxdet[0..2]). */
void vt_coco_summarize(struct vt_coco_result *r,
		       const struct vt_coco_params *p);

/* The mean of the values > -1 of precision (ap true) or recall for one
 * category (k >= 0) or all (k = -1); iou: a threshold value, or < 0 for
 * all; area by label; maxdet a value.  -1 when nothing is defined, as
 * pycocotools' _summarize. */
double vt_coco_mean(const struct vt_coco_result *r,
		    const struct vt_coco_params *p, bool ap, long k,
		    double iou, const char *area, unsigned maxdet);

/* numpy's pairwise summation of one buffer, and np.sum of a contiguous
 * float64 array (buffers of 8192 summed pairwise, added in order). */
double vt_pairwise_sum(const double *a, size_t n);
double vt_numpy_sum(const double *a, size_t n);

/* Per-category counts at one IoU threshold index, area index 0, the
 * largest maxdet: tp and fp. */
void vt_coco_counts(const struct vt_coco_matches *m, size_t k, size_t t,
		    uint64_t *tp, uint64_t *fp);

/* Write the 12 pycocotools summary lines. */
int vt_coco_write_summary(FILE *f, const struct vt_coco_result *r,
			  const struct vt_coco_params *p);

/* ---- sharded evaluation (COCO) ---------------------------------------- */

/* Keep only the boxes of the images [lo, hi) (indices). */
void vt_eval_set_images(struct vt_eval_set *s, size_t lo, size_t hi);

/* The matches of the images [lo, hi) of s (s restricted to them by
 * vt_eval_set_images) as one tensor record at path ("-": standard
 * output), with the parameters and categories: a shard. */
int vt_coco_shard_save(const char *path, const struct vt_eval_set *s,
		       const struct vt_coco_matches *m,
		       const struct vt_coco_params *p, size_t lo, size_t hi,
		       struct vt_err *err);

/* Shards of one evaluation that cover every image once, in any order,
 * into the matches of a single run (the same bits after accumulate),
 * its parameters, and s with the categories and the counts n_img, n_gt,
 * n_dt (no boxes).  s must be empty.  Errors: VT_EOPEN, VT_EFORMAT
 * ("'b.vts': images 40-80 are in another shard too", "shards of
 * different evaluations"), VT_ENOMEM. */
int vt_coco_shards_merge(const char *const *paths, size_t n_paths,
			 struct vt_eval_set *s, struct vt_coco_matches *m,
			 struct vt_coco_params *p, struct vt_err *err);

/* ---- curves and the confusion matrix ----------------------------------- */

/* Category k's interpolated precision at each recall threshold, one
 * column per IoU threshold (area 'all', the largest maxdet): CSV
 * "recall,p@0.50,...", or an SVG plot of the same curves.  0 or -1 when a
 * write fails. */
int vt_coco_write_pr_csv(FILE *f, const struct vt_coco_result *r,
			 const struct vt_coco_params *p, size_t k);
int vt_coco_write_pr_svg(FILE *f, const struct vt_coco_result *r,
			 const struct vt_coco_params *p, size_t k,
			 const char *title);
/* Both for every category with ground truth, as DIR/<id>_<name>.csv and
 * .svg (bytes of the name other than [A-Za-z0-9.-] as '_'); DIR is
 * created.  VT_ECREATE, VT_EIO, VT_ENOMEM. */
int vt_coco_pr_curves(const char *dir, const struct vt_eval_set *s,
		      const struct vt_coco_result *r,
		      const struct vt_coco_params *p, struct vt_err *err);

/* Counts of (ground-truth class, predicted class) over the images, the
 * last row and column being background: per image, detections with
 * score >= score and ground truth that is neither crowd nor difficult
 * are paired one to one, any class, greedily by IoU (descending; ties by
 * ground truth, then detection, in input order) where IoU >= iou (> 0);
 * unpaired ground truth counts as (class, background), unpaired
 * detections as (background, class).  IoU has no +1. */
struct vt_confusion {
	size_t n;            /* classes; count is [(n+1) x (n+1)] */
	double iou, score;
	uint64_t *count;
};

int vt_confusion_eval(struct vt_confusion *c, const struct vt_eval_set *s,
		      double iou, double score, struct vt_err *err);
void vt_confusion_release(struct vt_confusion *c);
/* As an aligned text table or CSV (classes in the set's order). */
int vt_confusion_write(FILE *f, const struct vt_confusion *c,
		       const struct vt_eval_set *s, bool csv);

/* ---- VOC protocol ----------------------------------------------------- */

enum vt_voc_mode {
	VT_VOC_ALL_POINT,   /* VOC2010+ (Cartucho/mAP) */
	VT_VOC_11_POINT,    /* VOC2007 */
	VT_VOC_MODE_COUNT
};

struct vt_voc_params {
	double iou;            /* 0.5 */
	enum vt_voc_mode mode;
	bool legacy_pixel;     /* widths are x2-x1+1 */
};

struct vt_voc_class {
	double ap;          /* -1 when the class has no non-difficult GT */
	uint64_t n_gt;      /* non-difficult GT */
	uint64_t n_dt, tp, fp;
};

struct vt_voc_result {
	size_t n_cat;
	struct vt_voc_class *cls;  /* [n_cat] */
	double map;                /* mean over classes with GT, or -1 */
	size_t n_map;              /* classes in the mean */
};

void vt_voc_params_default(struct vt_voc_params *p);
void vt_voc_result_release(struct vt_voc_result *r);
int vt_voc_eval(struct vt_voc_result *out, const struct vt_eval_set *s,
		const struct vt_voc_params *p, struct vt_err *err);

/* ---- reports ---------------------------------------------------------- */

/* One row of the per-class table; values -1 where undefined. */
struct vt_eval_row {
	const char *name;   /* borrowed from the set */
	int64_t id;
	double ap, ap50, ap75, ar;        /* AR at the largest maxdet */
	double ap_small, ap_medium, ap_large;
	uint64_t n_gt, n_dt, tp, fp;      /* at IoU 0.5 (or the first) */
};

struct vt_eval_report {
	const char *protocol;     /* "coco", "voc", "voc07" */
	double map;               /* the headline number */
	bool has_stats;
	double stats[12];
	const struct vt_coco_params *coco;   /* thresholds, for coco */
	double voc_iou;
	bool legacy_pixel;
	size_t n_img, n_gt, n_dt;
	size_t n_row;
	struct vt_eval_row *row;  /* sorted by name */
};

void vt_eval_report_release(struct vt_eval_report *r);
int vt_coco_report(struct vt_eval_report *rep, const struct vt_eval_set *s,
		   const struct vt_coco_matches *m,
		   const struct vt_coco_result *res,
		   const struct vt_coco_params *p, struct vt_err *err);
int vt_voc_report(struct vt_eval_report *rep, const struct vt_eval_set *s,
		  const struct vt_voc_result *res,
		  const struct vt_voc_params *p, struct vt_err *err);

/* Text (summary lines, then the table), JSON, or CSV of the table.
 * Return 0 or -1 when a write fails. */
int vt_eval_write_text(FILE *f, const struct vt_eval_report *r,
		       const struct vt_coco_result *coco);
int vt_eval_write_json(FILE *f, const struct vt_eval_report *r);
int vt_eval_write_csv(FILE *f, const struct vt_eval_report *r);

#endif
