/* detrec.c - detection records (boxes, scores, classes) as evaluation input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/detrec.h"
#include "vt/record.h"
#include "vt/size.h"

int vt_detrec_sniff(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	uint64_t n = 0;

	if (len < 9 || b[8] != '{')
		return 0;
	for (int i = 7; i >= 0; i--)
		n = n << 8 | b[i];
	return n >= 2 && n <= len - 8;
}

/* One record's tensors, checked. */
struct rec {
	const char *image;
	size_t n;
	const float *box, *score;
	const int32_t *cls;
	const uint8_t *crowd, *difficult;
};

static int bad(struct vt_err *err, const char *name, uint64_t idx,
	       const char *image, const char *what)
{
	return vt_err_set(err, VT_EFORMAT, "'%s': record %llu%s%s%s: %s", name,
			  (unsigned long long)idx, image ? " (image '" : "",
			  image ? image : "", image ? "')" : "", what);
}

static int vec(const struct vt_record *r, const char *tname,
	       enum vt_dtype dt, bool need, size_t n, const void **out,
	       char *msg, size_t size)
{
	const struct vt_tensor *t = vt_record_find(r, tname);

	*out = NULL;
	if (!t) {
		if (need)
			snprintf(msg, size, "no tensor '%s'", tname);
		return need ? -1 : 0;
	}
	if (t->dtype != dt || t->rank != 1 || t->shape[0] != n) {
		char sh[64];

		vt_tensor_shape_str(t, sh, sizeof sh);
		snprintf(msg, size, "%s: %s %s, expected %s [%zu]", tname,
			 vt_dtype_name(t->dtype), sh, vt_dtype_name(dt), n);
		return -1;
	}
	*out = t->data;
	return 0;
}

static int get_rec(const struct vt_record *r, const char *name, uint64_t idx,
		   bool gt, struct rec *o, struct vt_err *err)
{
	const struct vt_tensor *b = vt_record_find(r, "boxes");
	char msg[160];
	const void *p;

	memset(o, 0, sizeof *o);
	o->image = vt_record_meta_get(r, "image");
	if (!o->image || !*o->image)
		return bad(err, name, idx, NULL, "no 'image' metadata");
	if (!b)
		return bad(err, name, idx, o->image, "no tensor 'boxes'");
	if (b->dtype != VT_F32 || b->rank != 2 || b->shape[1] != 4) {
		char sh[64];

		vt_tensor_shape_str(b, sh, sizeof sh);
		snprintf(msg, sizeof msg, "boxes: %s %s, expected F32 [N, 4]",
			 vt_dtype_name(b->dtype), sh);
		return bad(err, name, idx, o->image, msg);
	}
	o->n = (size_t)b->shape[0];
	o->box = b->data;
	if (vec(r, "classes", VT_I32, true, o->n, &p, msg, sizeof msg))
		return bad(err, name, idx, o->image, msg);
	o->cls = p;
	if (vec(r, "scores", VT_F32, !gt, o->n, &p, msg, sizeof msg))
		return bad(err, name, idx, o->image, msg);
	o->score = gt ? NULL : p;
	if (gt && vec(r, "iscrowd", VT_U8, false, o->n, &p, msg, sizeof msg))
		return bad(err, name, idx, o->image, msg);
	o->crowd = gt ? p : NULL;
	if (gt && vec(r, "difficult", VT_U8, false, o->n, &p, msg, sizeof msg))
		return bad(err, name, idx, o->image, msg);
	o->difficult = gt ? p : NULL;
	for (size_t i = 0; i < o->n; i++) {
		const float *x = o->box + 4 * i;

		if (!(isfinite(x[0]) && isfinite(x[1]) && isfinite(x[2]) &&
		      isfinite(x[3])) || (o->score && !isfinite(o->score[i])))
			snprintf(msg, sizeof msg, "box %zu: not a finite number",
				 i);
		else if (x[2] < x[0] || x[3] < x[1])
			snprintf(msg, sizeof msg, "box %zu: x2 < x1 or y2 < y1",
				 i);
		else if (o->cls[i] < 0)
			snprintf(msg, sizeof msg, "box %zu: class %d is "
				 "negative", i, (int)o->cls[i]);
		else if (o->cls[i] > VT_EVAL_MAX_CLASS)
			snprintf(msg, sizeof msg, "box %zu: class %d is above "
				 "the limit of %d", i, (int)o->cls[i],
				 VT_EVAL_MAX_CLASS);
		else
			continue;
		return bad(err, name, idx, o->image, msg);
	}
	return 0;
}

/* x1, y1, x2, y2 and w = x2 - x1, h = y2 - y1 of a box. */
#define FILL_BOX(o, b) do { \
	(o).x1 = (b)[0]; (o).y1 = (b)[1]; (o).x2 = (b)[2]; (o).y2 = (b)[3]; \
	(o).w = (o).x2 - (o).x1; (o).h = (o).y2 - (o).y1; \
} while (0)

struct key {
	const char *s;
	uint32_t img;
};

static int cmp_key(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	int c = strcmp(a->s, b->s);

	return c ? c : (a->img > b->img) - (a->img < b->img);
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The first of the keys equal to s, or NULL. */
static const struct key *find(const struct key *k, size_t n, const char *s)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(k[mid].s, s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(k[lo].s, s) == 0 ? &k[lo] : NULL;
}

int vt_detrec_read_gt(struct vt_eval_set *s, const void *buf, size_t len,
		      const char *name, char *const *names, size_t n_names,
		      struct vt_err *err)
{
	struct vt_reader *rd = NULL;
	struct vt_record r;
	struct key *k = NULL;
	uint32_t *perm = NULL;
	size_t n_img = 0, cap = 0;
	int32_t maxc = -1;
	int rc, more;

	vt_record_init(&r);
	rc = vt_reader_open_mem(&rd, buf, len, name,
				&(struct vt_reader_opts){ .single = -1 }, err);
	while (!rc && (more = vt_reader_next(rd, &r, err)) != 0) {
		uint64_t idx = vt_reader_index(rd);
		struct rec o;

		if (more < 0) {
			rc = more;
			break;
		}
		if ((rc = get_rec(&r, name, idx, true, &o, err)))
			break;
		if (n_img == cap) {
			size_t c = cap ? cap * 2 : 64;
			struct key *q = vt_realloc_array(k, c, sizeof *k);

			if (!q) {
				rc = vt_err_set(err, VT_ENOMEM, "out of memory");
				break;
			}
			k = q;
			cap = c;
		}
		k[n_img].s = strdup(o.image);
		k[n_img].img = (uint32_t)n_img;
		if (!k[n_img].s) {
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			break;
		}
		n_img++;
		for (size_t i = 0; !rc && i < o.n; i++) {
			struct vt_eval_gt g = { 0 };

			FILL_BOX(g, o.box + 4 * i);
			g.area = g.w * g.h;
			g.id = (int64_t)s->n_gt + 1;
			g.img = (uint32_t)(n_img - 1);
			g.cat = (uint32_t)o.cls[i];
			g.crowd = o.crowd ? o.crowd[i] != 0 : 0;
			g.difficult = o.difficult ? o.difficult[i] != 0 : 0;
			if (names && (size_t)o.cls[i] >= n_names) {
				char msg[96];

				snprintf(msg, sizeof msg, "box %zu: class %d "
					 "has no name (%zu names)", i,
					 (int)o.cls[i], n_names);
				rc = bad(err, name, idx, o.image, msg);
				break;
			}
			if (o.cls[i] > maxc)
				maxc = o.cls[i];
			rc = vt_eval_set_add_gt(s, &g, err);
		}
	}
	vt_record_release(&r);
	vt_reader_close(rd);
	if (!rc && n_img == 0)
		rc = vt_err_set(err, VT_EFORMAT, "'%s': no records", name);
	if (rc)
		goto done;
	qsort(k, n_img, sizeof *k, cmp_key);
	perm = vt_malloc_array(n_img, sizeof *perm);
	s->n_cat = names ? n_names : (size_t)maxc + 1;
	s->img_id = vt_malloc_array(n_img, sizeof *s->img_id);
	s->img_name = vt_calloc_array(n_img, sizeof *s->img_name);
	s->cat_id = vt_malloc_array(s->n_cat + 1, sizeof *s->cat_id);
	s->cat_name = vt_calloc_array(s->n_cat + 1, sizeof *s->cat_name);
	if (!perm || !s->img_id || !s->img_name || !s->cat_id ||
	    !s->cat_name) {
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n_img; i++) {
		if (i && strcmp(k[i].s, s->img_name[i - 1]) == 0) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': record %u: "
					"image '%s' has another record", name,
					(unsigned)k[i].img, k[i].s);
			goto done;
		}
		perm[k[i].img] = (uint32_t)i;
		s->img_id[i] = (int64_t)i;
		s->img_name[i] = (char *)k[i].s;
		k[i].s = NULL;
		s->n_img++;
	}
	for (size_t i = 0; i < s->n_gt; i++)
		s->gt[i].img = perm[s->gt[i].img];
	for (size_t c = 0; c < s->n_cat; c++) {
		char num[24];

		snprintf(num, sizeof num, "%zu", c);
		s->cat_id[c] = (int64_t)c;
		s->cat_name[c] = strdup(names ? names[c] : num);
		if (!s->cat_name[c]) {
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	if (k)
		for (size_t i = 0; i < n_img; i++)
			free((char *)k[i].s);
	free(k);
	free(perm);
	return rc;
}

/* Exact and base-name indexes of the set's image names. */
static int index_images(const struct vt_eval_set *s, struct key **full,
			struct key **bases, size_t *nk, struct vt_err *err)
{
	size_t n = 0;

	*full = vt_malloc_array(s->n_img + 1, sizeof **full);
	*bases = vt_malloc_array(s->n_img + 1, sizeof **bases);
	if (!*full || !*bases)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->n_img; i++) {
		if (!s->img_name || !s->img_name[i])
			continue;
		(*full)[n] = (struct key){ s->img_name[i], (uint32_t)i };
		(*bases)[n++] = (struct key){ base(s->img_name[i]),
					      (uint32_t)i };
	}
	qsort(*full, n, sizeof **full, cmp_key);
	qsort(*bases, n, sizeof **bases, cmp_key);
	*nk = n;
	return 0;
}

/* An image without a file name whose id is the number of the base name's
 * stem ("000000139.jpg" is 139), as yolo-detect numbers COCO results; or
 * -1. */
static long numeric_id(const struct vt_eval_set *s, const char *b)
{
	long long id = 0;
	const char *p = b;
	long k;

	for (; *p >= '0' && *p <= '9' && id < INT64_MAX / 10 - 10; p++)
		id = id * 10 + (*p - '0');
	if (p == b || (*p && *p != '.') || (*p && strchr(p + 1, '.')))
		return -1;
	k = vt_eval_set_img_index(s, id);
	return k >= 0 && (!s->img_name || !s->img_name[k]) ? k : -1;
}

int vt_detrec_read_dt(struct vt_eval_set *s, const void *buf, size_t len,
		      const char *name, char *const *names, size_t n_names,
		      struct vt_err *err)
{
	struct vt_reader *rd = NULL;
	struct vt_record r;
	struct key *full = NULL, *bases = NULL;
	long *cat_of = NULL;
	uint8_t *seen = NULL;
	size_t nk = 0;
	int rc, more;

	vt_record_init(&r);
	rc = index_images(s, &full, &bases, &nk, err);
	seen = calloc(s->n_img + 1, 1);
	cat_of = vt_malloc_array(n_names + 1, sizeof *cat_of);
	if (!rc && (!seen || !cat_of))
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
	for (size_t c = 0; !rc && names && c < n_names; c++) {
		cat_of[c] = -1;
		for (size_t j = 0; j < s->n_cat; j++)
			if (strcmp(s->cat_name[j], names[c]) == 0) {
				cat_of[c] = (long)j;
				break;
			}
	}
	if (!rc)
		rc = vt_reader_open_mem(&rd, buf, len, name,
					&(struct vt_reader_opts){ .single = -1 },
					err);
	while (!rc && (more = vt_reader_next(rd, &r, err)) != 0) {
		uint64_t idx = vt_reader_index(rd);
		const struct key *f;
		struct rec o;
		uint32_t img;
		long by_id;

		if (more < 0) {
			rc = more;
			break;
		}
		if ((rc = get_rec(&r, name, idx, false, &o, err)))
			break;
		f = find(full, nk, o.image);
		if (!f) {
			f = find(bases, nk, base(o.image));
			if (f && f + 1 < bases + nk &&
			    strcmp(f[1].s, f->s) == 0) {
				rc = bad(err, name, idx, o.image, "ambiguous: "
					 "two ground-truth images have its "
					 "base name");
				break;
			}
		}
		if (f) {
			img = f->img;
		} else if ((by_id = numeric_id(s, base(o.image))) >= 0) {
			img = (uint32_t)by_id;
		} else {
			rc = bad(err, name, idx, o.image, "no such image in "
				 "the ground truth");
			break;
		}
		if (seen[img]) {
			rc = bad(err, name, idx, o.image, "a second record "
				 "for this image");
			break;
		}
		seen[img] = 1;
		for (size_t i = 0; !rc && i < o.n; i++) {
			struct vt_eval_dt d = { 0 };
			long k = o.cls[i];

			if (names && (size_t)k >= n_names) {
				char msg[96];

				snprintf(msg, sizeof msg, "box %zu: class %ld "
					 "has no name (%zu names)", i, k,
					 n_names);
				rc = bad(err, name, idx, o.image, msg);
				break;
			}
			k = names ? cat_of[k] : (size_t)k < s->n_cat ? k : -1;
			if (k < 0) {
				s->n_dt_dropped++;
				continue;
			}
			FILL_BOX(d, o.box + 4 * i);
			d.score = o.score[i];
			d.img = img;
			d.cat = (uint32_t)k;
			rc = vt_eval_set_add_dt(s, &d, err);
		}
	}
	vt_record_release(&r);
	vt_reader_close(rd);
	free(full);
	free(bases);
	free(cat_of);
	free(seen);
	return rc;
}
