/* voctxt.c - VOC-style text directories (Cartucho/mAP layout). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/coco.h"
#include "vt/size.h"
#include "vt/utf8.h"
#include "vt/voctxt.h"
#include "vt/file.h"

struct vt_voctxt {
	char **name;       /* provisional class number -> name */
	size_t n, cap;
	uint32_t *slot;    /* open addressing: number + 1, 0 empty */
	size_t nslot;
};

struct vt_voctxt *vt_voctxt_new(void)
{
	return calloc(1, sizeof(struct vt_voctxt));
}

void vt_voctxt_free(struct vt_voctxt *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		free(v->name[i]);
	free(v->name);
	free(v->slot);
	free(v);
}

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static int rehash(struct vt_voctxt *v, struct vt_err *err)
{
	size_t ns = v->nslot ? v->nslot * 2 : 64;
	uint32_t *sl = vt_calloc_array(ns, sizeof *sl);

	if (!sl)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	for (size_t i = 0; i < v->n; i++) {
		size_t h = hash(v->name[i], strlen(v->name[i])) & (ns - 1);

		while (sl[h])
			h = (h + 1) & (ns - 1);
		sl[h] = (uint32_t)i + 1;
	}
	free(v->slot);
	v->slot = sl;
	v->nslot = ns;
	return 0;
}

static int intern(struct vt_voctxt *v, const char *s, size_t n,
		  uint32_t *out, struct vt_err *err)
{
	size_t h;
	int rc;

	if ((v->n + 1) * 2 > v->nslot && (rc = rehash(v, err)))
		return rc;
	h = hash(s, n) & (v->nslot - 1);
	while (v->slot[h]) {
		const char *x = v->name[v->slot[h] - 1];

		if (strlen(x) == n && memcmp(x, s, n) == 0) {
			*out = v->slot[h] - 1;
			return 0;
		}
		h = (h + 1) & (v->nslot - 1);
	}
	if (v->n == v->cap) {
		size_t c = v->cap ? v->cap * 2 : 32;
		char **q = vt_realloc_array(v->name, c, sizeof *q);

		if (!q)
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		v->name = q;
		v->cap = c;
	}
	v->name[v->n] = malloc(n + 1);
	if (!v->name[v->n])
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	memcpy(v->name[v->n], s, n);
	v->name[v->n][n] = '\0';
	v->slot[h] = (uint32_t)v->n + 1;
	*out = (uint32_t)v->n++;
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

struct tok {
	const char *s;
	size_t n;
};

/* Split a line into at most 8 tokens (a first token may be quoted);
 * returns the count, 9 for too many, -1 for a bad quote. */
static int split(const char *p, const char *e, struct tok *t)
{
	int n = 0;

	for (;;) {
		while (p < e && blank(*p))
			p++;
		if (p == e)
			return n;
		if (n == 8)
			return 9;
		if (*p == '"' && n == 0) {
			const char *q = memchr(p + 1, '"', (size_t)(e - p - 1));

			if (!q || q == p + 1 || (q + 1 < e && !blank(q[1])))
				return -1;
			t[n].s = p + 1;
			t[n++].n = (size_t)(q - p - 1);
			p = q + 1;
			continue;
		}
		t[n].s = p;
		while (p < e && !blank(*p))
			p++;
		t[n].n = (size_t)(p - t[n].s);
		n++;
	}
}

static bool tok_num(const struct tok *t, double *out)
{
	char buf[64], *end;

	if (t->n == 0 || t->n >= sizeof buf)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		char c = t->s[i];

		if (!((c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '+' || c == 'e' || c == 'E'))
			return false;
	}
	memcpy(buf, t->s, t->n);
	buf[t->n] = '\0';
	*out = strtod(buf, &end);
	return *end == '\0' && isfinite(*out);
}

int vt_voctxt_parse(struct vt_voctxt *v, struct vt_eval_set *s,
		    const char *buf, size_t len, const char *name,
		    uint32_t img, bool gt, struct vt_err *err)
{
	const char *p = buf, *e = buf + len;
	size_t line = 0;
	int rc;

	if (memchr(buf, '\0', len))
		return vt_err_set(err, VT_EFORMAT, "'%s': NUL byte in a text "
				  "file", name);
	if (!vt_utf8_valid(buf, len))
		return vt_err_set(err, VT_EFORMAT, "'%s': not UTF-8 text",
				  name);
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		struct tok t[8];
		double x[5];
		int n = split(p, le, t), nn, off;
		uint32_t cls;

		line++;
		p = nl ? nl + 1 : e;
		if (n == 0)
			continue;
		if (n < 0)
			return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: bad "
					  "quoted class name", name, line);
		if (gt) {
			bool diff = n == 6 && t[5].n == 9 &&
				    memcmp(t[5].s, "difficult", 9) == 0;

			if (n != 5 && !diff)
				return vt_err_set(err, VT_EFORMAT, "'%s': line "
						  "%zu: expected 'class left top "
						  "right bottom [difficult]', got "
						  "%d fields", name, line, n);
			nn = 4;
			off = 1;
		} else {
			if (n != 6)
				return vt_err_set(err, VT_EFORMAT, "'%s': line "
						  "%zu: expected 'class "
						  "confidence left top right "
						  "bottom', got %d fields", name,
						  line, n);
			nn = 5;
			off = 1;
		}
		for (int i = 0; i < nn; i++)
			if (!tok_num(&t[off + i], &x[i]))
				return vt_err_set(err, VT_EFORMAT, "'%s': line "
						  "%zu: field %d is not a finite "
						  "number", name, line,
						  off + i + 1);
		if (memchr(t[0].s, '\0', t[0].n))
			return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: "
					  "bad class name", name, line);
		if ((rc = intern(v, t[0].s, t[0].n, &cls, err)))
			return rc;
		{
			const double *b = gt ? x : x + 1;

			if (b[2] < b[0] || b[3] < b[1])
				return vt_err_set(err, VT_EFORMAT, "'%s': line "
						  "%zu: box has %s < %s", name,
						  line, b[2] < b[0] ? "right" :
						  "bottom", b[2] < b[0] ? "left"
						  : "top");
			if (gt) {
				struct vt_eval_gt g = {
					.x1 = b[0], .y1 = b[1], .x2 = b[2],
					.y2 = b[3], .w = b[2] - b[0],
					.h = b[3] - b[1], .img = img,
					.cat = cls,
					.difficult = n == 6,
				};

				g.area = g.w * g.h;
				g.id = (int64_t)s->n_gt + 1;
				rc = vt_eval_set_add_gt(s, &g, err);
			} else {
				struct vt_eval_dt d = {
					.x1 = b[0], .y1 = b[1], .x2 = b[2],
					.y2 = b[3], .w = b[2] - b[0],
					.h = b[3] - b[1], .score = x[0],
					.img = img, .cat = cls,
				};

				rc = vt_eval_set_add_dt(s, &d, err);
			}
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int cmp_str(const void *pa, const void *pb)
{
	return strcmp(*(char *const *)pa, *(char *const *)pb);
}

int vt_voctxt_finish(struct vt_voctxt *v, struct vt_eval_set *s,
		     struct vt_err *err)
{
	uint32_t *map = vt_malloc_array(v->n + 1, sizeof *map);
	char **sorted = vt_malloc_array(v->n + 1, sizeof *sorted);

	s->cat_id = vt_malloc_array(v->n + 1, sizeof *s->cat_id);
	s->cat_name = vt_calloc_array(v->n + 1, sizeof *s->cat_name);
	if (!map || !sorted || !s->cat_id || !s->cat_name) {
		free(map);
		free(sorted);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	if (v->n)
		memcpy(sorted, v->name, v->n * sizeof *sorted);
	qsort(sorted, v->n, sizeof *sorted, cmp_str);
	for (size_t i = 0; i < v->n; i++) {
		uint32_t k;

		intern(v, sorted[i], strlen(sorted[i]), &k, err);
		map[k] = (uint32_t)i;
		s->cat_id[i] = (int64_t)i;
		s->cat_name[i] = sorted[i];
	}
	/* the names now belong to s */
	for (size_t i = 0; i < v->n; i++)
		v->name[i] = NULL;
	s->n_cat = v->n;
	v->n = 0;
	free(v->slot);
	v->slot = NULL;
	v->nslot = 0;
	for (size_t i = 0; i < s->n_gt; i++)
		s->gt[i].cat = map[s->gt[i].cat];
	for (size_t i = 0; i < s->n_dt; i++)
		s->dt[i].cat = map[s->dt[i].cat];
	free(map);
	free(sorted);
	return 0;
}

struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int list_txt(const char *dir, struct names *l, struct vt_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open", dir);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 4, ".txt") != 0)
			continue;
		if (l->n == l->cap) {
			size_t c = l->cap ? l->cap * 2 : 256;
			char **q = vt_realloc_array(l->v, c, sizeof *q);

			if (!q) {
				closedir(d);
				return vt_err_set(err, VT_ENOMEM, "out of memory");
			}
			l->v = q;
			l->cap = c;
		}
		l->v[l->n] = strdup(de->d_name);
		if (!l->v[l->n]) {
			closedir(d);
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		}
		l->n++;
	}
	closedir(d);
	qsort(l->v, l->n, sizeof *l->v, cmp_str);
	return 0;
}

static int read_one(struct vt_voctxt *v, struct vt_eval_set *s,
		    const char *dir, const char *file, uint32_t img, bool gt,
		    struct vt_err *err)
{
	size_t n = strlen(dir) + strlen(file) + 2, len;
	char *path = malloc(n), *buf;
	int rc;

	if (!path)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	snprintf(path, n, "%s/%s", dir, file);
	rc = vt_file_read(path, 0, &buf, &len, err);
	if (!rc) {
		rc = vt_voctxt_parse(v, s, buf, len, path, img, gt, err);
		free(buf);
	}
	free(path);
	return rc;
}

int vt_voc_read_dirs(struct vt_eval_set *s, const char *gt_dir,
		     const char *dt_dir, struct vt_err *err)
{
	struct names g = { 0 }, d = { 0 };
	struct vt_voctxt *v = vt_voctxt_new();
	int rc;

	if (!v)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	if ((rc = list_txt(gt_dir, &g, err)) || (rc = list_txt(dt_dir, &d, err)))
		goto out;
	if (g.n == 0) {
		rc = vt_err_set(err, VT_EFORMAT, "'%s': no .txt files", gt_dir);
		goto out;
	}
	for (size_t i = 0, j = 0; i < g.n || j < d.n;) {
		int c = i == g.n ? 1 : j == d.n ? -1 : strcmp(g.v[i], d.v[j]);

		if (c < 0) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s/%s': no detection "
					"file '%s/%s'", gt_dir, g.v[i], dt_dir,
					g.v[i]);
			goto out;
		}
		if (c > 0) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s/%s': no ground-"
					"truth file '%s/%s'", dt_dir, d.v[j],
					gt_dir, d.v[j]);
			goto out;
		}
		i++;
		j++;
	}
	s->n_img = g.n;
	s->img_id = vt_malloc_array(g.n, sizeof *s->img_id);
	s->img_name = vt_calloc_array(g.n, sizeof *s->img_name);
	if (!s->img_id || !s->img_name) {
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < g.n; i++) {
		s->img_id[i] = (int64_t)i;
	}
	for (size_t i = 0; i < g.n && !rc; i++) {
		rc = read_one(v, s, gt_dir, g.v[i], (uint32_t)i, true, err);
		if (!rc)
			rc = read_one(v, s, dt_dir, g.v[i], (uint32_t)i, false,
				      err);
		g.v[i][strlen(g.v[i]) - 4] = '\0';
		s->img_name[i] = g.v[i];
		g.v[i] = NULL;
	}
	if (!rc)
		rc = vt_voctxt_finish(v, s, err);
out:
	names_free(&g);
	names_free(&d);
	vt_voctxt_free(v);
	return rc;
}
