/* yolotxt.c - YOLO text label directories with image sizes. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/coco.h"
#include "vt/image.h"
#include "vt/size.h"
#include "vt/yolotxt.h"
#include "vt/file.h"

struct list {
	char **v;
	size_t n, cap;
};

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir (suffix ".txt" only when txt), sorted. */
static int list_dir(const char *dir, bool txt, struct list *l,
		    struct vt_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open", dir);
	while (!rc && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' ||
		    (txt && (n < 5 || strcmp(de->d_name + n - 4, ".txt"))))
			continue;
		if (l->n == l->cap) {
			size_t c = l->cap ? l->cap * 2 : 256;
			char **q = vt_realloc_array(l->v, c, sizeof *q);

			if (!q) {
				rc = vt_err_set(err, VT_ENOMEM, "out of memory");
				break;
			}
			l->v = q;
			l->cap = c;
		}
		if (!(l->v[l->n] = strdup(de->d_name)))
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		else
			l->n++;
	}
	closedir(d);
	qsort(l->v, l->n, sizeof *l->v, cmp_str);
	return rc;
}

/* Index of the stem of file (directories and last extension dropped)
 * among the sorted stems, or -1. */
static long stem_index(char *const *stems, size_t n, const char *file,
		       size_t flen)
{
	const char *b = file, *dot = NULL;
	char buf[1024];
	size_t len;

	for (size_t i = 0; i < flen; i++)
		if (file[i] == '/')
			b = file + i + 1;
	for (const char *p = b; p < file + flen; p++)
		if (*p == '.')
			dot = p;
	len = (size_t)((dot && dot != b ? dot : file + flen) - b);
	if (len >= sizeof buf)
		return -1;
	memcpy(buf, b, len);
	buf[len] = '\0';
	for (size_t lo = 0, hi = n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(stems[mid], buf);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int num(const char *t, double *v)
{
	char *end;

	*v = strtod(t, &end);
	return *end || end == t || !isfinite(*v) ? -1 : 0;
}

int vt_yolo_parse(struct vt_eval_set *s, const char *buf, size_t len,
		  const char *name, uint32_t img, double w, double h, bool gt,
		  long *maxc, struct vt_err *err)
{
	size_t want = gt ? 5 : 6, line = 0;
	const char *p = buf, *e = buf + len;
	int rc = 0;

	while (!rc && p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		char ln[512], *f[8], *save = NULL, *t;
		size_t l = (size_t)((nl ? nl : e) - p), nf = 0;
		double v[6];
		long c;

		line++;
		if (l >= sizeof ln)
			return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: "
					  "longer than %zu bytes", name, line,
					  sizeof ln - 1);
		memcpy(ln, p, l);
		ln[l] = '\0';
		p = nl ? nl + 1 : e;
		for (t = strtok_r(ln, " \t\r", &save); t && nf < 8;
		     t = strtok_r(NULL, " \t\r", &save))
			f[nf++] = t;
		if (nf == 0)
			continue;
		if (nf != want)
			return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: "
					  "expected %zu fields, got %s%zu",
					  name, line, want, t ? "more than " :
					  "", nf);
		c = strtol(f[0], &t, 10);
		if (*t || t == f[0] || c < 0 || c > INT32_MAX)
			return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: "
					  "class '%s' is not a non-negative "
					  "integer", name, line, f[0]);
		for (size_t i = 1; i < nf; i++)
			if (num(f[i], &v[i]))
				return vt_err_set(err, VT_EFORMAT, "'%s': line "
						  "%zu: field %zu is not a "
						  "finite number", name, line,
						  i + 1);
		if (v[3] < 0 || v[4] < 0)
			return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: "
					  "negative width or height", name,
					  line);
		if (c > *maxc)
			*maxc = c;
		double x1 = (v[1] - v[3] / 2) * w, x2 = (v[1] + v[3] / 2) * w;
		double y1 = (v[2] - v[4] / 2) * h, y2 = (v[2] + v[4] / 2) * h;

		if (gt) {
			struct vt_eval_gt g = { x1, y1, x2, y2, x2 - x1,
						y2 - y1, 0, 0, img,
						(uint32_t)c, 0, 0 };

			g.area = g.w * g.h;
			g.id = (int64_t)s->n_gt + 1;
			rc = vt_eval_set_add_gt(s, &g, err);
		} else {
			struct vt_eval_dt d = { x1, y1, x2, y2, x2 - x1,
						y2 - y1, v[5], img,
						(uint32_t)c };

			rc = vt_eval_set_add_dt(s, &d, err);
		}
	}
	return rc;
}

/* Width and height of every image: [2 * n], 0 where unknown. */
static int sizes_from_file(const char *path, char *const *stems, size_t n,
			   double *wh, struct vt_err *err)
{
	char *buf;
	size_t len, line = 0;
	int rc = vt_file_read(path, 0, &buf, &len, err);

	for (char *p = buf; !rc && p < buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p)), *f[4];
		char *save = NULL, *t;
		size_t nf = 0;
		double w, h;
		long k;

		if (nl)
			*nl = '\0';
		line++;
		for (t = strtok_r(p, " \t\r", &save); t && nf < 4;
		     t = strtok_r(NULL, " \t\r", &save))
			f[nf++] = t;
		p = nl ? nl + 1 : buf + len;
		if (nf == 0)
			continue;
		if (nf != 3 || num(f[1], &w) || num(f[2], &h) || !(w > 0) ||
		    !(h > 0)) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': line %zu: "
					"expected 'NAME WIDTH HEIGHT' with "
					"positive sizes", path, line);
			break;
		}
		k = stem_index(stems, n, f[0], strlen(f[0]));
		if (k >= 0) {
			wh[2 * k] = w;
			wh[2 * k + 1] = h;
		}
	}
	free(buf);
	return rc;
}

static int sizes_from_images(const char *dir, char *const *stems, size_t n,
			     double *wh, struct vt_err *err)
{
	struct list l = { 0 };
	int rc = list_dir(dir, false, &l, err);

	for (size_t i = 0; !rc && i < l.n; i++) {
		long k = stem_index(stems, n, l.v[i], strlen(l.v[i]));
		size_t plen = strlen(dir) + strlen(l.v[i]) + 2;
		char *path;
		int w, h, ch;

		if (k < 0 || wh[2 * k] > 0)
			continue;
		if (!(path = malloc(plen))) {
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			break;
		}
		snprintf(path, plen, "%s/%s", dir, l.v[i]);
		rc = vt_image_info(path, &w, &h, &ch, err);
		free(path);
		wh[2 * k] = w;
		wh[2 * k + 1] = h;
	}
	list_free(&l);
	return rc;
}

static int read_file(struct vt_eval_set *s, const char *dir,
		     const char *file, uint32_t img, const double *wh,
		     bool gt, long *maxc, struct vt_err *err)
{
	size_t n = strlen(dir) + strlen(file) + 2, len;
	char *path = malloc(n), *buf = NULL;
	int rc;

	if (!path)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	snprintf(path, n, "%s/%s", dir, file);
	rc = vt_file_read(path, 0, &buf, &len, err);
	if (!rc)
		rc = vt_yolo_parse(s, buf, len, path, img, wh[0], wh[1], gt,
				   maxc, err);
	free(buf);
	free(path);
	return rc;
}

int vt_yolo_read_dirs(struct vt_eval_set *s, const struct vt_yolo_inputs *in,
		      struct vt_err *err)
{
	struct list g = { 0 }, d = { 0 };
	double *wh = NULL;
	long maxc = -1;
	int rc;

	if (!in->images == !in->sizes)
		return vt_err_set(err, VT_EINVAL, "YOLO labels need the image "
				  "sizes: an image directory or a sizes file");
	if ((rc = list_dir(in->gt_dir, true, &g, err)) ||
	    (rc = list_dir(in->dt_dir, true, &d, err)))
		goto out;
	if (g.n == 0) {
		rc = vt_err_set(err, VT_EFORMAT, "'%s': no .txt files",
				in->gt_dir);
		goto out;
	}
	for (size_t i = 0; i < g.n; i++)
		g.v[i][strlen(g.v[i]) - 4] = '\0';
	wh = vt_calloc_array(2 * g.n, sizeof *wh);
	s->img_id = vt_malloc_array(g.n, sizeof *s->img_id);
	s->img_name = vt_calloc_array(g.n, sizeof *s->img_name);
	if (!wh || !s->img_id || !s->img_name) {
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		goto out;
	}
	rc = in->sizes ? sizes_from_file(in->sizes, g.v, g.n, wh, err)
		       : sizes_from_images(in->images, g.v, g.n, wh, err);
	for (size_t i = 0; !rc && i < g.n; i++) {
		char file[1100];

		if (!(wh[2 * i] > 0)) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s/%s.txt': no size "
					"for image '%s' in '%s'", in->gt_dir,
					g.v[i], g.v[i], in->sizes ? in->sizes
					: in->images);
			break;
		}
		s->img_id[i] = (int64_t)i;
		s->img_name[i] = g.v[i];
		g.v[i] = NULL;
		s->n_img++;
		snprintf(file, sizeof file, "%s.txt", s->img_name[i]);
		rc = read_file(s, in->gt_dir, file, (uint32_t)i, wh + 2 * i,
			       true, &maxc, err);
	}
	for (size_t j = 0; !rc && j < d.n; j++) {
		long k = stem_index(s->img_name, s->n_img, d.v[j],
				    strlen(d.v[j]));

		if (k < 0)
			rc = vt_err_set(err, VT_EFORMAT, "'%s/%s': no ground-"
					"truth file '%s/%s'", in->dt_dir,
					d.v[j], in->gt_dir, d.v[j]);
		else
			rc = read_file(s, in->dt_dir, d.v[j], (uint32_t)k,
				       wh + 2 * k, false, &maxc, err);
	}
	if (!rc && in->names && maxc >= (long)in->n_names)
		rc = vt_err_set(err, VT_EFORMAT, "'%s': class %ld has no name "
				"(%zu names)", in->gt_dir, maxc,
				in->n_names);
	if (rc)
		goto out;
	s->n_cat = in->names ? in->n_names : (size_t)(maxc + 1);
	s->cat_id = vt_malloc_array(s->n_cat + 1, sizeof *s->cat_id);
	s->cat_name = vt_calloc_array(s->n_cat + 1, sizeof *s->cat_name);
	if (!s->cat_id || !s->cat_name) {
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t c = 0; c < s->n_cat; c++) {
		char nb[24];

		snprintf(nb, sizeof nb, "%zu", c);
		s->cat_id[c] = (int64_t)c;
		if (!(s->cat_name[c] = strdup(in->names ? in->names[c] : nb))) {
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			break;
		}
	}
out:
	list_free(&g);
	list_free(&d);
	free(wh);
	return rc;
}
