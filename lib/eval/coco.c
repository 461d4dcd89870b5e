/* coco.c - the COCO protocol, as pycocotools COCOeval (iouType 'bbox').
 *
 * evaluate():   per (image, category): detections sorted by score (stable),
 *               the best maxDets[-1] kept, IoU as maskApi's bbIou, greedy
 *               matching per area range and IoU threshold.
 * accumulate(): per category, the kept detections of all images sorted by
 *               score (ties: lower image, then rank), cumulative TP/FP,
 *               precision made monotone, sampled at the recall thresholds.
 * summarize():  means of the values > -1, summed as numpy does.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vt/eval.h"
#include "vt/size.h"

void vt_coco_params_default(struct vt_coco_params *p)
{
	static const char *lbl[] = { "all", "small", "medium", "large" };
	static const double rng[4][2] = {
		{ 0, 1e10 }, { 0, 1024 }, { 1024, 9216 }, { 9216, 1e10 },
	};

	memset(p, 0, sizeof *p);
	p->n_iou = 10;
	vt_linspace(p->iou, 10, 0.5, 0.95);
	p->n_rec = 101;
	vt_linspace(p->rec, 101, 0.0, 1.0);
	p->n_area = 4;
	for (int a = 0; a < 4; a++) {
		p->area[a][0] = rng[a][0];
		p->area[a][1] = rng[a][1];
		strcpy(p->area_lbl[a], lbl[a]);
	}
	p->n_maxdet = 3;
	p->maxdet[0] = 1;
	p->maxdet[1] = 10;
	p->maxdet[2] = 100;
}

void vt_coco_matches_release(struct vt_coco_matches *m)
{
	if (!m)
		return;
	free(m->start);
	free(m->score);
	free(m->img);
	free(m->rank);
	free(m->tp);
	free(m->fp);
	free(m->npig);
	free(m->n_dt);
	memset(m, 0, sizeof *m);
}

struct gkey {
	uint32_t cat, img, idx;
};

struct dkey {
	double score;
	uint32_t cat, img, idx;
};

static int cmp_gkey(const void *pa, const void *pb)
{
	const struct gkey *a = pa, *b = pb;

	if (a->cat != b->cat)
		return a->cat < b->cat ? -1 : 1;
	if (a->img != b->img)
		return a->img < b->img ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* (category, image, score descending, input order): a stable sort by
 * score within each (image, category), as np.argsort(-s, 'mergesort'). */
static int cmp_dkey(const void *pa, const void *pb)
{
	const struct dkey *a = pa, *b = pb;

	if (a->cat != b->cat)
		return a->cat < b->cat ? -1 : 1;
	if (a->img != b->img)
		return a->img < b->img ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

struct skey {
	double score;
	uint32_t pos;
};

static int cmp_skey(const void *pa, const void *pb)
{
	const struct skey *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

/* maskApi.c bbIou: boxes x, y, w, h; crowd regions divide by the
 * detection's area; no overlap (w or h <= 0) gives 0. */
static double bb_iou(const struct vt_eval_dt *d, const struct vt_eval_gt *g)
{
	double w, h, i, u;
	double da = d->w * d->h, ga = g->w * g->h;

	w = fmin(d->x2, g->x2) - fmax(d->x1, g->x1);
	if (w <= 0)
		return 0;
	h = fmin(d->y2, g->y2) - fmax(d->y1, g->y1);
	if (h <= 0)
		return 0;
	i = w * h;
	u = g->crowd ? da : da + ga - i;
	return i / u;
}

struct scratch {
	size_t cap_iou, cap_g;
	double *iou;       /* [D][G] */
	uint32_t *order;   /* [G] ignore-last order */
	uint8_t *gig;      /* [G] ignored, input order */
	uint8_t *gtm;      /* [G] matched, sorted order */
};

static int scratch_fit(struct scratch *s, size_t d, size_t g,
		       struct vt_err *err)
{
	size_t n;

	if (vt_mul_overflow_size(d, g, &n))
		return vt_err_set(err, VT_ENOMEM, "matching: too many boxes");
	if (n > s->cap_iou) {
		free(s->iou);
		s->cap_iou = n * 2;
		s->iou = vt_malloc_array(s->cap_iou, sizeof *s->iou);
		if (!s->iou)
			return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	if (g > s->cap_g) {
		free(s->order);
		free(s->gig);
		free(s->gtm);
		s->cap_g = g * 2;
		s->order = vt_malloc_array(s->cap_g, sizeof *s->order);
		s->gig = malloc(s->cap_g);
		s->gtm = malloc(s->cap_g);
		if (!s->order || !s->gig || !s->gtm)
			return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	return 0;
}

/* One (image, category): gts[0..G), dts[0..D) sorted by score and cut.
 * Writes tp/fp masks for each detection and area at tp[d * A + a]. */
static void match_group(const struct vt_eval_set *s,
			const struct vt_coco_params *p, const uint32_t *gts,
			size_t G, const uint32_t *dts, size_t D,
			struct scratch *sc, uint64_t *tp, uint64_t *fp,
			uint64_t *npig)
{
	size_t A = p->n_area;

	for (size_t d = 0; d < D; d++)
		for (size_t g = 0; g < G; g++)
			sc->iou[d * G + g] = bb_iou(&s->dt[dts[d]],
						    &s->gt[gts[g]]);
	for (size_t a = 0; a < A; a++) {
		double lo = p->area[a][0], hi = p->area[a][1];
		size_t k = 0;

		for (size_t g = 0; g < G; g++) {
			const struct vt_eval_gt *gt = &s->gt[gts[g]];

			sc->gig[g] = gt->crowd || gt->area < lo ||
				     gt->area > hi;
			if (!sc->gig[g]) {
				sc->order[k++] = (uint32_t)g;
				npig[a]++;
			}
		}
		for (size_t g = 0; g < G; g++)
			if (sc->gig[g])
				sc->order[k++] = (uint32_t)g;
		for (size_t d = 0; d < D; d++)
			tp[d * A + a] = fp[d * A + a] = 0;
		for (size_t t = 0; t < p->n_iou; t++) {
			if (G)
				memset(sc->gtm, 0, G);
			for (size_t d = 0; d < D; d++) {
				const struct vt_eval_dt *dt = &s->dt[dts[d]];
				const double *row = G ? sc->iou + d * G : NULL;
				double iou = fmin(p->iou[t], 1 - 1e-10);
				long m = -1;
				bool matched, ig;
				double da;

				for (size_t j = 0; j < G; j++) {
					uint32_t g = sc->order[j];

					if (sc->gtm[j] && !s->gt[gts[g]].crowd)
						continue;
					if (m > -1 && !sc->gig[sc->order[m]] &&
					    sc->gig[g])
						break;
					if (row[g] < iou)
						continue;
					iou = row[g];
					m = (long)j;
				}
				da = dt->w * dt->h;
				if (m == -1) {
					matched = false;
					ig = da < lo || da > hi;
				} else {
					uint32_t g = sc->order[m];

					sc->gtm[m] = 1;
					matched = s->gt[gts[g]].id != 0 ||
						  p->fix_id0;
					ig = sc->gig[g] ||
					     (!matched && (da < lo || da > hi));
				}
				if (!ig) {
					if (matched)
						tp[d * A + a] |= 1ull << t;
					else
						fp[d * A + a] |= 1ull << t;
				}
			}
		}
	}
}

int vt_coco_match(struct vt_coco_matches *out, const struct vt_eval_set *s,
		  const struct vt_coco_params *p, struct vt_err *err)
{
	size_t K = s->n_cat, A = p->n_area, ng = s->n_gt, nd = s->n_dt;
	size_t maxdet = p->maxdet[p->n_maxdet - 1], n = 0;
	struct gkey *gk = NULL;
	struct dkey *dk = NULL;
	uint32_t *gidx = NULL, *didx = NULL;
	struct skey *sk = NULL;
	struct scratch sc = { 0 };
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (p->n_iou == 0 || p->n_iou > VT_COCO_MAX_IOU || A == 0 ||
	    A > VT_COCO_MAX_AREA || p->n_maxdet != VT_COCO_MAX_MAXDET)
		return vt_err_set(err, VT_EINVAL, "bad COCO parameters");
	out->n_cat = K;
	out->n_area = A;
	out->start = vt_calloc_array(K + 1, sizeof *out->start);
	out->npig = vt_calloc_array(K * A + 1, sizeof *out->npig);
	out->n_dt = vt_calloc_array(K + 1, sizeof *out->n_dt);
	out->score = vt_malloc_array(nd + 1, sizeof *out->score);
	out->img = vt_malloc_array(nd + 1, sizeof *out->img);
	out->rank = vt_malloc_array(nd + 1, sizeof *out->rank);
	out->tp = vt_malloc_array(nd * A + 1, sizeof *out->tp);
	out->fp = vt_malloc_array(nd * A + 1, sizeof *out->fp);
	gk = vt_malloc_array(ng + 1, sizeof *gk);
	dk = vt_malloc_array(nd + 1, sizeof *dk);
	gidx = vt_malloc_array(ng + 1, sizeof *gidx);
	didx = vt_malloc_array(nd + 1, sizeof *didx);
	if (!out->start || !out->npig || !out->n_dt || !out->score ||
	    !out->img || !out->rank || !out->tp || !out->fp || !gk || !dk ||
	    !gidx || !didx) {
		rc = vt_err_set(err, VT_ENOMEM, "out of memory for %zu "
				"detections", nd);
		goto done;
	}
	for (size_t i = 0; i < ng; i++)
		gk[i] = (struct gkey){ s->gt[i].cat, s->gt[i].img,
				       (uint32_t)i };
	for (size_t i = 0; i < nd; i++) {
		dk[i] = (struct dkey){ s->dt[i].score, s->dt[i].cat,
				       s->dt[i].img, (uint32_t)i };
		out->n_dt[s->dt[i].cat]++;
	}
	qsort(gk, ng, sizeof *gk, cmp_gkey);
	qsort(dk, nd, sizeof *dk, cmp_dkey);
	for (size_t i = 0; i < ng; i++)
		gidx[i] = gk[i].idx;
	for (size_t i = 0; i < nd; i++)
		didx[i] = dk[i].idx;

	/* walk the (category, image) groups of both lists together */
	size_t gi = 0, di = 0;

	for (size_t k = 0; k < K; k++) {
		out->start[k] = n;
		while ((gi < ng && gk[gi].cat == k) ||
		       (di < nd && dk[di].cat == k)) {
			uint32_t img = UINT32_MAX;
			size_t g0 = gi, d0 = di, D;

			if (gi < ng && gk[gi].cat == k)
				img = gk[gi].img;
			if (di < nd && dk[di].cat == k && dk[di].img < img)
				img = dk[di].img;
			while (gi < ng && gk[gi].cat == k && gk[gi].img == img)
				gi++;
			while (di < nd && dk[di].cat == k && dk[di].img == img)
				di++;
			D = di - d0 < maxdet ? di - d0 : maxdet;
			rc = scratch_fit(&sc, D, gi - g0, err);
			if (rc)
				goto done;
			match_group(s, p, gidx + g0, gi - g0, didx + d0, D, &sc,
				    out->tp + n * A, out->fp + n * A,
				    out->npig + k * A);
			for (size_t d = 0; d < D; d++) {
				out->score[n + d] = s->dt[didx[d0 + d]].score;
				out->img[n + d] = img;
				out->rank[n + d] = (uint32_t)d;
			}
			n += D;
		}
	}
	out->start[K] = n;

	/* per category: score descending, ties in (image, rank) order */
	sk = vt_malloc_array(n + 1, sizeof *sk);
	uint64_t *tmp = vt_malloc_array(n * A + 1, sizeof *tmp);
	uint32_t *tmp32 = vt_malloc_array(n + 1, sizeof *tmp32);

	if (!sk || !tmp || !tmp32) {
		free(tmp);
		free(tmp32);
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t k = 0; k < K; k++) {
		size_t b = out->start[k], e = out->start[k + 1];

		for (size_t i = b; i < e; i++)
			sk[i] = (struct skey){ out->score[i], (uint32_t)i };
		qsort(sk + b, e - b, sizeof *sk, cmp_skey);
	}
	for (size_t i = 0; i < n; i++)
		tmp32[i] = out->img[sk[i].pos];
	memcpy(out->img, tmp32, n * sizeof *tmp32);
	for (size_t i = 0; i < n; i++)
		tmp32[i] = out->rank[sk[i].pos];
	memcpy(out->rank, tmp32, n * sizeof *tmp32);
	for (size_t i = 0; i < n; i++)
		out->score[i] = sk[i].score;
	for (size_t i = 0; i < n; i++)
		memcpy(tmp + i * A, out->tp + (size_t)sk[i].pos * A,
		       A * sizeof *tmp);
	memcpy(out->tp, tmp, n * A * sizeof *tmp);
	for (size_t i = 0; i < n; i++)
		memcpy(tmp + i * A, out->fp + (size_t)sk[i].pos * A,
		       A * sizeof *tmp);
	memcpy(out->fp, tmp, n * A * sizeof *tmp);
	free(tmp);
	free(tmp32);
done:
	free(sc.iou);
	free(sc.order);
	free(sc.gig);
	free(sc.gtm);
	free(sk);
	free(gk);
	free(dk);
	free(gidx);
	free(didx);
	if (rc)
		vt_coco_matches_release(out);
	return rc;
}

void vt_coco_result_release(struct vt_coco_result *r)
{
	if (!r)
		return;
	free(r->precision);
	free(r->recall);
	memset(r, 0, sizeof *r);
}

int vt_coco_accumulate(struct vt_coco_result *out,
		       const struct vt_coco_matches *m,
		       const struct vt_coco_params *p, struct vt_err *err)
{
	size_t T = p->n_iou, R = p->n_rec, K = m->n_cat, A = p->n_area;
	size_t M = p->n_maxdet, np_, nr, maxn = 0;
	const double eps = 2.220446049250313e-16;   /* np.spacing(1) */
	double *pr = NULL;
	double *rc_ = NULL;
	size_t *sel = NULL;

	memset(out, 0, sizeof *out);
	out->T = T;
	out->R = R;
	out->K = K;
	out->A = A;
	out->M = M;
	if (vt_mul_overflow_size(T * R * A * M, K, &np_) ||
	    vt_mul_overflow_size(T * A * M, K, &nr) ||
	    np_ > VT_COCO_MAX_TABLE / sizeof(double))
		return vt_err_set(err, VT_ELIMIT, "%zu categories x %zu IoU "
				  "thresholds x %zu recall points x %zu area "
				  "ranges x %zu max-dets need a precision table "
				  "above the limit of %llu MB", K, T, R, A, M,
				  (unsigned long long)(VT_COCO_MAX_TABLE >> 20));
	for (size_t k = 0; k < K; k++)
		if (m->start[k + 1] - m->start[k] > maxn)
			maxn = m->start[k + 1] - m->start[k];
	out->precision = vt_malloc_array(np_ + 1, sizeof(double));
	out->recall = vt_malloc_array(nr + 1, sizeof(double));
	pr = vt_malloc_array(maxn + 1, sizeof *pr);
	rc_ = vt_malloc_array(maxn + 1, sizeof *rc_);
	sel = vt_malloc_array(maxn + 1, sizeof *sel);
	if (!out->precision || !out->recall || !pr || !rc_ || !sel) {
		free(pr);
		free(rc_);
		free(sel);
		vt_coco_result_release(out);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < np_; i++)
		out->precision[i] = -1;
	for (size_t i = 0; i < nr; i++)
		out->recall[i] = -1;
	for (size_t k = 0; k < K; k++) {
		size_t b = m->start[k], e = m->start[k + 1];

		for (size_t a = 0; a < A; a++) {
			uint64_t npig = m->npig[k * A + a];

			if (npig == 0)
				continue;
			for (size_t mi = 0; mi < M; mi++) {
				size_t nd = 0;

				for (size_t i = b; i < e; i++)
					if (m->rank[i] < p->maxdet[mi])
						sel[nd++] = i;
				for (size_t t = 0; t < T; t++) {
					double tp = 0, fp = 0;
					uint64_t bit = 1ull << t;
					size_t ri, i;

					for (size_t j = 0; j < nd; j++) {
						size_t x = sel[j] * A + a;

						if (m->tp[x] & bit)
							tp += 1;
						if (m->fp[x] & bit)
							fp += 1;
						rc_[j] = tp / (double)npig;
						pr[j] = tp / (fp + tp + eps);
					}
					out->recall[((t * K + k) * A + a) * M +
						    mi] = nd ? rc_[nd - 1] : 0;
					for (size_t j = nd; j-- > 1;)
						if (pr[j] > pr[j - 1])
							pr[j - 1] = pr[j];
					for (ri = 0, i = 0; ri < R; ri++) {
						while (i < nd && rc_[i] < p->rec[ri])
							i++;
						out->precision[(((t * R + ri) * K + k) *
								A + a) * M + mi] =
							i < nd ? pr[i] : 0;
					}
				}
			}
		}
	}
	free(pr);
	free(rc_);
	free(sel);
	return 0;
}

double vt_coco_mean(const struct vt_coco_result *r,
		    const struct vt_coco_params *p, bool ap, long k,
		    double iou, const char *area, unsigned maxdet)
{
	size_t a, mi, n = 0, cap;
	double *v, mean;

	for (a = 0; a < p->n_area; a++)
		if (strcmp(p->area_lbl[a], area) == 0)
			break;
	for (mi = 0; mi < p->n_maxdet; mi++)
		if (p->maxdet[mi] == maxdet)
			break;
	if (a == p->n_area || mi == p->n_maxdet)
		return -1;
	cap = r->T * (ap ? r->R : 1) * r->K;
	v = vt_malloc_array(cap + 1, sizeof *v);
	if (!v)
		return NAN;
	for (size_t t = 0; t < r->T; t++) {
		if (iou >= 0 && p->iou[t] != iou)
			continue;
		for (size_t ri = 0; ri < (ap ? r->R : 1); ri++)
			for (size_t kk = 0; kk < r->K; kk++) {
				double x;

				if (k >= 0 && (size_t)k != kk)
					continue;
				x = ap ? r->precision[(((t * r->R + ri) * r->K +
							kk) * r->A + a) * r->M + mi]
				       : r->recall[((t * r->K + kk) * r->A + a) *
						   r->M + mi];
				if (x > -1)
					v[n++] = x;
			}
	}
	mean = n ? vt_numpy_sum(v, n) / (double)n : -1;
	free(v);
	return mean;
}

static const struct {
	bool ap;
	double iou;
	const char *area;
	int m;
} summary[12] = {
	{ true, -1, "all", 2 }, { true, 0.5, "all", 2 },
	{ true, 0.75, "all", 2 }, { true, -1, "small", 2 },
	{ true, -1, "medium", 2 }, { true, -1, "large", 2 },
	{ false, -1, "all", 0 }, { false, -1, "all", 1 },
	{ false, -1, "all", 2 }, { false, -1, "small", 2 },
	{ false, -1, "medium", 2 }, { false, -1, "large", 2 },
};

void vt_coco_summarize(struct vt_coco_result *r,
		       const struct vt_coco_params *p)
{
	for (int i = 0; i < 12; i++)
		r->stats[i] = vt_coco_mean(r, p, summary[i].ap, -1,
					   summary[i].iou, summary[i].area,
					   p->maxdet[summary[i].m]);
}

int vt_coco_write_summary(FILE *f, const struct vt_coco_result *r,
			  const struct vt_coco_params *p)
{
	for (int i = 0; i < 12; i++) {
		char iou[32];

		if (summary[i].iou < 0)
			snprintf(iou, sizeof iou, "%0.2f:%0.2f", p->iou[0],
				 p->iou[p->n_iou - 1]);
		else
			snprintf(iou, sizeof iou, "%0.2f", summary[i].iou);
		if (fprintf(f, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3u"
			    " ] = %0.3f\n", summary[i].ap ? "Average Precision"
			    : "Average Recall", summary[i].ap ? "(AP)" : "(AR)",
			    iou, summary[i].area, p->maxdet[summary[i].m],
			    r->stats[i]) < 0)
			return -1;
	}
	return 0;
}

void vt_coco_counts(const struct vt_coco_matches *m, size_t k, size_t t,
		    uint64_t *tp, uint64_t *fp)
{
	*tp = *fp = 0;
	for (size_t i = m->start[k]; i < m->start[k + 1]; i++) {
		*tp += (m->tp[i * m->n_area] >> t) & 1;
		*fp += (m->fp[i * m->n_area] >> t) & 1;
	}
}
