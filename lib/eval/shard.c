/* shard.c - COCO evaluation state of a block of images, and merging it.
 *
 * A shard is one tensor record: the matches of vt_coco_match for the
 * images [lo, hi) of the evaluation order (score F64, img and rank I32,
 * tp and fp I64 bit masks, start, npig and n_dt I64), the parameters
 * (iou, rec, area F64, maxdet I64) and the categories (cat_id I64,
 * cat_names U8: the names, each ended by a NUL); metadata
 * "vt.mapeval.shard" "1", images, lo, hi, gt, dt, fix_id0, area_labels.
 * Merging sorts each category's matches by score (descending), image and
 * rank: the order a single run gives them, so accumulate sees the same
 * arrays and gives the same bits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/eval.h"
#include "vt/record.h"
#include "vt/size.h"

void vt_eval_set_images(struct vt_eval_set *s, size_t lo, size_t hi)
{
	size_t j = 0;

	for (size_t i = 0; i < s->n_gt; i++)
		if (s->gt[i].img >= lo && s->gt[i].img < hi)
			s->gt[j++] = s->gt[i];
	s->n_gt = j;
	j = 0;
	for (size_t i = 0; i < s->n_dt; i++)
		if (s->dt[i].img >= lo && s->dt[i].img < hi)
			s->dt[j++] = s->dt[i];
	s->n_dt = j;
}

static int put(struct vt_record *r, const char *name, enum vt_dtype dt,
	       int rank, const uint64_t *shape, const void *data,
	       struct vt_err *err)
{
	struct vt_tensor t;
	int rc = vt_tensor_init(&t, name, dt, rank, shape, err);

	if (rc)
		return rc;
	if (t.nbytes)
		memcpy(t.data, data, t.nbytes);
	rc = vt_record_add(r, &t, err);
	vt_tensor_release(&t);
	return rc;
}

static int meta_u64(struct vt_record *r, const char *key, uint64_t v,
		    struct vt_err *err)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%" PRIu64, v);
	return vt_record_meta_set(r, key, buf, err);
}

int vt_coco_shard_save(const char *path, const struct vt_eval_set *s,
		       const struct vt_coco_matches *m,
		       const struct vt_coco_params *p, size_t lo, size_t hi,
		       struct vt_err *err)
{
	size_t n = m->start[m->n_cat], K = m->n_cat, A = m->n_area, nb = 0;
	struct vt_record r;
	int32_t *i32 = vt_malloc_array(n + 1, sizeof *i32);
	int64_t md[VT_COCO_MAX_MAXDET];
	char *names, lbl[VT_COCO_MAX_AREA * 17] = "";
	int rc = 0;

	for (size_t k = 0; k < K; k++)
		nb += strlen(s->cat_name[k]) + 1;
	names = malloc(nb + 1);
	vt_record_init(&r);
	if (!i32 || !names) {
		free(i32);
		free(names);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	nb = 0;
	for (size_t k = 0; k < K; k++) {
		size_t l = strlen(s->cat_name[k]) + 1;

		memcpy(names + nb, s->cat_name[k], l);
		nb += l;
	}
	for (size_t a = 0; a < A; a++) {
		strcat(lbl, a ? "," : "");
		strcat(lbl, p->area_lbl[a]);
	}
	for (size_t i = 0; i < p->n_maxdet; i++)
		md[i] = p->maxdet[i];
	rc = put(&r, "score", VT_F64, 1, (uint64_t[]){ n }, m->score, err);
	for (size_t i = 0; i < n; i++)
		i32[i] = (int32_t)m->img[i];
	if (!rc)
		rc = put(&r, "img", VT_I32, 1, (uint64_t[]){ n }, i32, err);
	for (size_t i = 0; i < n; i++)
		i32[i] = (int32_t)m->rank[i];
	if (!rc)
		rc = put(&r, "rank", VT_I32, 1, (uint64_t[]){ n }, i32, err);
	if (!rc)
		rc = put(&r, "tp", VT_I64, 2, (uint64_t[]){ n, A }, m->tp, err);
	if (!rc)
		rc = put(&r, "fp", VT_I64, 2, (uint64_t[]){ n, A }, m->fp, err);
	if (!rc)
		rc = put(&r, "start", VT_I64, 1, (uint64_t[]){ K + 1 },
			 m->start, err);
	if (!rc)
		rc = put(&r, "npig", VT_I64, 2, (uint64_t[]){ K, A }, m->npig,
			 err);
	if (!rc)
		rc = put(&r, "n_dt", VT_I64, 1, (uint64_t[]){ K }, m->n_dt, err);
	if (!rc)
		rc = put(&r, "cat_id", VT_I64, 1, (uint64_t[]){ K }, s->cat_id,
			 err);
	if (!rc)
		rc = put(&r, "cat_names", VT_U8, 1, (uint64_t[]){ nb }, names,
			 err);
	if (!rc)
		rc = put(&r, "iou", VT_F64, 1, (uint64_t[]){ p->n_iou }, p->iou,
			 err);
	if (!rc)
		rc = put(&r, "rec", VT_F64, 1, (uint64_t[]){ p->n_rec }, p->rec,
			 err);
	if (!rc)
		rc = put(&r, "area", VT_F64, 2, (uint64_t[]){ A, 2 }, p->area,
			 err);
	if (!rc)
		rc = put(&r, "maxdet", VT_I64, 1, (uint64_t[]){ p->n_maxdet },
			 md, err);
	if (!rc)
		rc = vt_record_meta_set(&r, "vt.mapeval.shard", "1", err);
	if (!rc)
		rc = vt_record_meta_set(&r, "area_labels", lbl, err);
	if (!rc)
		rc = vt_record_meta_set(&r, "fix_id0", p->fix_id0 ? "1" : "0",
					err);
	if (!rc)
		rc = meta_u64(&r, "images", s->n_img, err);
	if (!rc)
		rc = meta_u64(&r, "lo", lo, err);
	if (!rc)
		rc = meta_u64(&r, "hi", hi, err);
	if (!rc)
		rc = meta_u64(&r, "gt", s->n_gt, err);
	if (!rc)
		rc = meta_u64(&r, "dt", s->n_dt, err);
	if (!rc)
		rc = vt_record_save(path, &r, err);
	vt_record_release(&r);
	free(i32);
	free(names);
	return rc;
}

/* ---- merging ---------------------------------------------------------- */

struct shard {
	struct vt_record r;
	const char *path;
	uint64_t images, lo, hi, gt, dt;
	size_t n, K, A;
	const double *score;
	const int32_t *img, *rank;
	const uint64_t *tp, *fp, *start, *npig, *n_dt;
};

static int fail(struct vt_err *err, const char *path, const char *what)
{
	return vt_err_set(err, VT_EFORMAT, "'%s': not a map-eval shard: %s",
			  path, what);
}

static const void *tensor(const struct vt_record *r, const char *name,
			  enum vt_dtype dt, int rank, uint64_t d0, uint64_t d1)
{
	const struct vt_tensor *t = vt_record_find(r, name);

	if (!t || t->dtype != dt || t->rank != rank || t->shape[0] != d0 ||
	    (rank == 2 && t->shape[1] != d1))
		return NULL;
	return t->data ? t->data : "";
}

static int meta(const struct vt_record *r, const char *key, uint64_t *v)
{
	const char *s = vt_record_meta_get(r, key);
	char *end;

	if (!s || !*s)
		return -1;
	*v = strtoull(s, &end, 10);
	return *end ? -1 : 0;
}

/* Load one shard and check it against the first. */
static int load(struct shard *sh, const struct shard *first,
		struct vt_err *err)
{
	const struct vt_tensor *t;
	const char *pth = sh->path;
	int rc;

	rc = vt_record_load(pth, &sh->r, &(struct vt_reader_opts){
				    .single = 1 }, err);
	if (rc)
		return rc;
	if (!vt_record_meta_get(&sh->r, "vt.mapeval.shard") ||
	    meta(&sh->r, "images", &sh->images) || meta(&sh->r, "lo", &sh->lo) ||
	    meta(&sh->r, "hi", &sh->hi) || meta(&sh->r, "gt", &sh->gt) ||
	    meta(&sh->r, "dt", &sh->dt) || sh->lo > sh->hi ||
	    sh->hi > sh->images)
		return fail(err, pth, "metadata");
	if (!(t = vt_record_find(&sh->r, "score")) || t->rank != 1 ||
	    !(sh->score = tensor(&sh->r, "score", VT_F64, 1, t->shape[0], 0)))
		return fail(err, pth, "score");
	sh->n = (size_t)t->shape[0];
	if (!(t = vt_record_find(&sh->r, "n_dt")) || t->rank != 1)
		return fail(err, pth, "n_dt");
	sh->K = (size_t)t->shape[0];
	if (!(t = vt_record_find(&sh->r, "area")) || t->rank != 2 ||
	    t->shape[0] == 0 || t->shape[0] > VT_COCO_MAX_AREA)
		return fail(err, pth, "area");
	sh->A = (size_t)t->shape[0];
	if (!(sh->img = tensor(&sh->r, "img", VT_I32, 1, sh->n, 0)) ||
	    !(sh->rank = tensor(&sh->r, "rank", VT_I32, 1, sh->n, 0)) ||
	    !(sh->tp = tensor(&sh->r, "tp", VT_I64, 2, sh->n, sh->A)) ||
	    !(sh->fp = tensor(&sh->r, "fp", VT_I64, 2, sh->n, sh->A)) ||
	    !(sh->start = tensor(&sh->r, "start", VT_I64, 1, sh->K + 1, 0)) ||
	    !(sh->npig = tensor(&sh->r, "npig", VT_I64, 2, sh->K, sh->A)) ||
	    !(sh->n_dt = tensor(&sh->r, "n_dt", VT_I64, 1, sh->K, 0)))
		return fail(err, pth, "matches");
	for (size_t k = 0; k < sh->K; k++)
		if (sh->start[k] > sh->start[k + 1])
			return fail(err, pth, "start");
	if (sh->start[0] != 0 || sh->start[sh->K] != sh->n)
		return fail(err, pth, "start");
	for (size_t i = 0; i < sh->n; i++)
		if (sh->img[i] < 0 || (uint64_t)sh->img[i] < sh->lo ||
		    (uint64_t)sh->img[i] >= sh->hi || sh->rank[i] < 0)
			return fail(err, pth, "img");
	if (first) {
		/* the same evaluation: parameters, categories, images */
		static const char *const same[] = { "iou", "rec", "area",
			"maxdet", "cat_id", "cat_names" };

		for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
			const struct vt_tensor *a = vt_record_find(&first->r,
								   same[i]);

			t = vt_record_find(&sh->r, same[i]);
			if (!t || t->nbytes != a->nbytes ||
			    memcmp(t->data, a->data, a->nbytes))
				return vt_err_set(err, VT_EFORMAT, "'%s' and "
						  "'%s': shards of different "
						  "evaluations (%s differs)",
						  first->path, pth, same[i]);
		}
		if (strcmp(vt_record_meta_get(&sh->r, "area_labels") ?
			   vt_record_meta_get(&sh->r, "area_labels") : "",
			   vt_record_meta_get(&first->r, "area_labels")) ||
		    sh->images != first->images)
			return vt_err_set(err, VT_EFORMAT, "'%s' and '%s': "
					  "shards of different evaluations",
					  first->path, pth);
		return 0;
	}
	return 0;
}

/* Parameters and categories of the first shard. */
static int settle(const struct shard *sh, struct vt_eval_set *s,
		  struct vt_coco_params *p, struct vt_err *err)
{
	const struct vt_tensor *t;
	const char *lbl = vt_record_meta_get(&sh->r, "area_labels");
	const char *fix = vt_record_meta_get(&sh->r, "fix_id0");
	const char *nm;
	size_t nb, off = 0;
	const int64_t *md;

	memset(p, 0, sizeof *p);
	if (!(t = vt_record_find(&sh->r, "iou")) || t->dtype != VT_F64 ||
	    t->rank != 1 || t->shape[0] == 0 || t->shape[0] > VT_COCO_MAX_IOU)
		return fail(err, sh->path, "iou");
	p->n_iou = (size_t)t->shape[0];
	memcpy(p->iou, t->data, t->nbytes);
	if (!(t = vt_record_find(&sh->r, "rec")) || t->dtype != VT_F64 ||
	    t->rank != 1 || t->shape[0] == 0 || t->shape[0] > VT_COCO_MAX_REC)
		return fail(err, sh->path, "rec");
	p->n_rec = (size_t)t->shape[0];
	memcpy(p->rec, t->data, t->nbytes);
	if (!tensor(&sh->r, "area", VT_F64, 2, sh->A, 2))
		return fail(err, sh->path, "area");
	p->n_area = sh->A;
	memcpy(p->area, vt_record_find(&sh->r, "area")->data, sh->A * 16);
	for (size_t a = 0; a < sh->A; a++) {
		const char *c = lbl ? strchr(lbl, ',') : NULL;
		size_t l = lbl ? (c ? (size_t)(c - lbl) : strlen(lbl)) : 99;

		if (l == 0 || l >= sizeof p->area_lbl[0] || (!c) != (a + 1 == sh->A))
			return fail(err, sh->path, "area_labels");
		memcpy(p->area_lbl[a], lbl, l);
		lbl = c ? c + 1 : NULL;
	}
	if (!(md = tensor(&sh->r, "maxdet", VT_I64, 1, VT_COCO_MAX_MAXDET, 0)))
		return fail(err, sh->path, "maxdet");
	p->n_maxdet = VT_COCO_MAX_MAXDET;
	for (size_t i = 0; i < VT_COCO_MAX_MAXDET; i++) {
		if (md[i] <= 0 || md[i] > UINT32_MAX)
			return fail(err, sh->path, "maxdet");
		p->maxdet[i] = (unsigned)md[i];
	}
	p->fix_id0 = fix && strcmp(fix, "1") == 0;
	if (!tensor(&sh->r, "cat_id", VT_I64, 1, sh->K, 0) ||
	    !(t = vt_record_find(&sh->r, "cat_names")) || t->dtype != VT_U8 ||
	    t->rank != 1)
		return fail(err, sh->path, "categories");
	nm = t->data;
	nb = t->nbytes;
	s->cat_id = vt_malloc_array(sh->K + 1, sizeof *s->cat_id);
	s->cat_name = vt_calloc_array(sh->K + 1, sizeof *s->cat_name);
	if (!s->cat_id || !s->cat_name)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	memcpy(s->cat_id, vt_record_find(&sh->r, "cat_id")->data, sh->K * 8);
	for (size_t k = 0; k < sh->K; k++) {
		const char *e = off < nb ? memchr(nm + off, '\0', nb - off)
					 : NULL;

		if (!e)
			return fail(err, sh->path, "cat_names");
		if (!(s->cat_name[k] = strdup(nm + off)))
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		s->n_cat = k + 1;
		off = (size_t)(e - nm) + 1;
	}
	s->n_cat = sh->K;
	s->n_img = (size_t)sh->images;
	return 0;
}

struct mkey {
	double score;
	int32_t img, rank;
	const struct shard *sh;
	size_t i;
};

static int cmp_mkey(const void *pa, const void *pb)
{
	const struct mkey *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->img != b->img)
		return a->img < b->img ? -1 : 1;
	return (a->rank > b->rank) - (a->rank < b->rank);
}

static int cmp_range(const void *pa, const void *pb)
{
	const struct shard *a = pa, *b = pb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (a->hi > b->hi) - (a->hi < b->hi);
}

int vt_coco_shards_merge(const char *const *paths, size_t n_paths,
			 struct vt_eval_set *s, struct vt_coco_matches *m,
			 struct vt_coco_params *p, struct vt_err *err)
{
	struct shard *sh = vt_calloc_array(n_paths + 1, sizeof *sh);
	struct mkey *key = NULL;
	size_t n = 0, K, A, pos = 0, nmax = 0;
	uint64_t covered = 0;
	int rc = 0;

	memset(m, 0, sizeof *m);
	if (!sh)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	for (size_t i = 0; i < n_paths; i++)
		vt_record_init(&sh[i].r);
	for (size_t i = 0; !rc && i < n_paths; i++) {
		sh[i].path = paths[i];
		rc = load(&sh[i], i ? &sh[0] : NULL, err);
		if (!rc && i == 0)
			rc = settle(&sh[0], s, p, err);
	}
	if (rc)
		goto out;
	qsort(sh, n_paths, sizeof *sh, cmp_range);
	for (size_t i = 0; i < n_paths; i++) {
		if (sh[i].lo != covered) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': images %" PRIu64
					"-%" PRIu64 " %s", sh[i].path, sh[i].lo,
					sh[i].hi, sh[i].lo < covered ?
					"are in another shard too" :
					"follow a gap: a shard is missing");
			goto out;
		}
		covered = sh[i].hi;
		n += sh[i].n;
		s->n_gt += (size_t)sh[i].gt;
		s->n_dt += (size_t)sh[i].dt;
	}
	if (covered != sh[0].images) {
		rc = vt_err_set(err, VT_EFORMAT, "shards cover images 0-%" PRIu64
				" of %" PRIu64 ": a shard is missing", covered,
				sh[0].images);
		goto out;
	}
	K = sh[0].K;
	A = sh[0].A;
	m->n_cat = K;
	m->n_area = A;
	m->start = vt_calloc_array(K + 1, sizeof *m->start);
	m->npig = vt_calloc_array(K * A + 1, sizeof *m->npig);
	m->n_dt = vt_calloc_array(K + 1, sizeof *m->n_dt);
	m->score = vt_malloc_array(n + 1, sizeof *m->score);
	m->img = vt_malloc_array(n + 1, sizeof *m->img);
	m->rank = vt_malloc_array(n + 1, sizeof *m->rank);
	m->tp = vt_malloc_array(n * A + 1, sizeof *m->tp);
	m->fp = vt_malloc_array(n * A + 1, sizeof *m->fp);
	for (size_t k = 0; k < K; k++) {
		size_t c = 0;

		for (size_t i = 0; i < n_paths; i++)
			c += sh[i].start[k + 1] - sh[i].start[k];
		nmax = c > nmax ? c : nmax;
	}
	key = vt_malloc_array(nmax + 1, sizeof *key);
	if (!m->start || !m->npig || !m->n_dt || !m->score || !m->img ||
	    !m->rank || !m->tp || !m->fp || !key) {
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < K; k++) {
		size_t c = 0;

		m->start[k] = pos;
		for (size_t i = 0; i < n_paths; i++) {
			for (size_t j = sh[i].start[k]; j < sh[i].start[k + 1];
			     j++)
				key[c++] = (struct mkey){ sh[i].score[j],
							  sh[i].img[j],
							  sh[i].rank[j], &sh[i],
							  j };
			for (size_t a = 0; a < A; a++)
				m->npig[k * A + a] += sh[i].npig[k * A + a];
			m->n_dt[k] += sh[i].n_dt[k];
		}
		qsort(key, c, sizeof *key, cmp_mkey);
		for (size_t j = 0; j < c; j++, pos++) {
			m->score[pos] = key[j].score;
			m->img[pos] = (uint32_t)key[j].img;
			m->rank[pos] = (uint32_t)key[j].rank;
			memcpy(m->tp + pos * A, key[j].sh->tp + key[j].i * A,
			       A * sizeof *m->tp);
			memcpy(m->fp + pos * A, key[j].sh->fp + key[j].i * A,
			       A * sizeof *m->fp);
		}
	}
	m->start[K] = pos;
out:
	for (size_t i = 0; i < n_paths; i++)
		vt_record_release(&sh[i].r);
	free(sh);
	free(key);
	if (rc)
		vt_coco_matches_release(m);
	return rc;
}
