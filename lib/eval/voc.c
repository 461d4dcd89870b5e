/* voc.c - PASCAL VOC average precision, as Cartucho/mAP computes it.
 *
 * Per class, detections sorted by score descending (stable: input order,
 * that is image then line), each taking the same-class GT of its image
 * with the largest IoU (the first of equal ones).  IoU >= the threshold:
 * a TP if that GT is unused and not difficult, an FP if it is used,
 * neither if it is difficult; below the threshold an FP.  AP is VOC2010+
 * all-point (the area under the precision envelope where recall changes)
 * or VOC2007 11-point.  The mAP is the mean over the classes with
 * non-difficult GT, in class order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vt/eval.h"
#include "vt/size.h"

void vt_voc_params_default(struct vt_voc_params *p)
{
	p->iou = 0.5;
	p->mode = VT_VOC_ALL_POINT;
	p->legacy_pixel = true;
}

void vt_voc_result_release(struct vt_voc_result *r)
{
	if (!r)
		return;
	free(r->cls);
	memset(r, 0, sizeof *r);
}

struct key {
	double score;
	uint32_t cat, img, idx;
};

static int cmp_gt(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;

	if (a->cat != b->cat)
		return a->cat < b->cat ? -1 : 1;
	if (a->img != b->img)
		return a->img < b->img ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

static int cmp_dt(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;

	if (a->cat != b->cat)
		return a->cat < b->cat ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Cartucho's IoU: iw = min(x2) - max(x1) + 1 (with the legacy pixel),
 * overlap only when iw > 0 and ih > 0; -1 for none. */
static double voc_iou(const struct vt_eval_dt *d, const struct vt_eval_gt *g,
		      double one)
{
	double bi0 = fmax(d->x1, g->x1), bi1 = fmax(d->y1, g->y1);
	double bi2 = fmin(d->x2, g->x2), bi3 = fmin(d->y2, g->y2);
	double iw = bi2 - bi0 + one, ih = bi3 - bi1 + one, ua;

	if (!(iw > 0 && ih > 0))
		return -1;
	ua = (d->x2 - d->x1 + one) * (d->y2 - d->y1 + one) +
	     (g->x2 - g->x1 + one) * (g->y2 - g->y1 + one) - iw * ih;
	return iw * ih / ua;
}

static double ap_all_point(const double *rec, const double *prec, size_t n,
			   double *mpre)
{
	double ap = 0, prev;

	/* mrec = [0, rec..., 1], mpre = [0, prec..., 0] */
	mpre[n + 1] = 0;
	for (size_t i = 0; i < n; i++)
		mpre[i + 1] = prec[i];
	mpre[0] = 0;
	for (size_t i = n + 1; i-- > 0;)
		if (mpre[i + 1] > mpre[i])
			mpre[i] = mpre[i + 1];
	prev = 0;
	for (size_t i = 1; i <= n + 1; i++) {
		double r = i <= n ? rec[i - 1] : 1.0;

		if (r != prev)
			ap += (r - prev) * mpre[i];
		prev = r;
	}
	return ap;
}

static double ap_11_point(const double *rec, const double *prec, size_t n)
{
	double ap = 0;

	for (int k = 0; k <= 10; k++) {
		double t = k * 0.1, p = 0;

		for (size_t i = 0; i < n; i++)
			if (rec[i] >= t && prec[i] > p)
				p = prec[i];
		ap += p / 11.;
	}
	return ap;
}

int vt_voc_eval(struct vt_voc_result *out, const struct vt_eval_set *s,
		const struct vt_voc_params *p, struct vt_err *err)
{
	size_t K = s->n_cat, ng = s->n_gt, nd = s->n_dt;
	double one = p->legacy_pixel ? 1.0 : 0.0, sum = 0;
	struct key *gk = NULL, *dk = NULL;
	size_t *gstart = NULL, *dstart = NULL;
	uint8_t *used = NULL;
	double *rec = NULL, *prec = NULL, *mpre = NULL;
	int rc = 0;

	memset(out, 0, sizeof *out);
	out->n_cat = K;
	out->cls = vt_calloc_array(K + 1, sizeof *out->cls);
	gk = vt_malloc_array(ng + 1, sizeof *gk);
	dk = vt_malloc_array(nd + 1, sizeof *dk);
	gstart = vt_calloc_array(K + 2, sizeof *gstart);
	dstart = vt_calloc_array(K + 2, sizeof *dstart);
	used = vt_calloc_array(ng + 1, 1);
	rec = vt_malloc_array(nd + 1, sizeof *rec);
	prec = vt_malloc_array(nd + 1, sizeof *prec);
	mpre = vt_malloc_array(nd + 2, sizeof *mpre);
	if (!out->cls || !gk || !dk || !gstart || !dstart || !used || !rec ||
	    !prec || !mpre) {
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < ng; i++) {
		gk[i] = (struct key){ 0, s->gt[i].cat, s->gt[i].img,
				      (uint32_t)i };
		if (!s->gt[i].difficult)
			out->cls[s->gt[i].cat].n_gt++;
	}
	for (size_t i = 0; i < nd; i++) {
		dk[i] = (struct key){ s->dt[i].score, s->dt[i].cat,
				      s->dt[i].img, (uint32_t)i };
		out->cls[s->dt[i].cat].n_dt++;
	}
	qsort(gk, ng, sizeof *gk, cmp_gt);
	qsort(dk, nd, sizeof *dk, cmp_dt);
	for (size_t i = 0, k = 0; k <= K; k++) {
		while (i < ng && gk[i].cat < k)
			i++;
		gstart[k] = i;
	}
	for (size_t i = 0, k = 0; k <= K; k++) {
		while (i < nd && dk[i].cat < k)
			i++;
		dstart[k] = i;
	}
	for (size_t k = 0; k < K; k++) {
		struct vt_voc_class *c = &out->cls[k];
		size_t n = 0, g0 = gstart[k], g1 = gstart[k + 1];
		uint64_t tp = 0, fp = 0;

		c->ap = -1;
		for (size_t i = dstart[k]; i < dstart[k + 1]; i++) {
			const struct vt_eval_dt *d = &s->dt[dk[i].idx];
			size_t lo = g0, hi = g1, best = SIZE_MAX;
			double ovmax = -1;

			/* the GT of this image: binary search on img */
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (gk[mid].img < d->img)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (size_t g = lo; g < g1 && gk[g].img == d->img; g++) {
				double ov = voc_iou(d, &s->gt[gk[g].idx], one);

				if (ov > ovmax) {
					ovmax = ov;
					best = g;
				}
			}
			if (best != SIZE_MAX && ovmax >= p->iou) {
				if (s->gt[gk[best].idx].difficult)
					continue;   /* neither TP nor FP */
				if (!used[best]) {
					used[best] = 1;
					tp++;
				} else {
					fp++;
				}
			} else {
				fp++;
			}
			if (c->n_gt)
				rec[n] = (double)tp / (double)c->n_gt;
			prec[n] = (double)tp / (double)(tp + fp);
			n++;
		}
		c->tp = tp;
		c->fp = fp;
		if (!c->n_gt)
			continue;
		c->ap = p->mode == VT_VOC_11_POINT ? ap_11_point(rec, prec, n)
						   : ap_all_point(rec, prec, n,
								  mpre);
		sum += c->ap;
		out->n_map++;
	}
	out->map = out->n_map ? sum / (double)out->n_map : -1;
done:
	free(gk);
	free(dk);
	free(gstart);
	free(dstart);
	free(used);
	free(rec);
	free(prec);
	free(mpre);
	if (rc)
		vt_voc_result_release(out);
	return rc;
}
