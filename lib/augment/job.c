/* job.c - one cutout-aug job applied to images and tensors; directory walks. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "vt/augment.h"
#include "vt/image.h"
#include "vt/size.h"

#define MAX_CHANNELS 64

void vt_aug_job_init(struct vt_aug_job *j)
{
	memset(j, 0, sizeof *j);
	vt_aug_opts_init(&j->aug);
	j->fill = VT_FILL_ZERO;
}

static int parse_layout(const char *s, char names[VT_MAX_RANK][8], int *rank)
{
	int r = 0;

	while (*s) {
		size_t len = strcspn(s, ",");

		if (r == VT_MAX_RANK || len >= 8)
			return -1;
		memcpy(names[r], s, len);
		names[r][len] = 0;
		r++;
		s += len;
		if (*s == ',' && *++s == 0)
			return -1;
	}
	*rank = r;
	return r ? 0 : -1;
}

int vt_aug_layout_find(const struct vt_tensor *t, const char *layout,
		       struct vt_aug_layout *out, struct vt_err *err)
{
	char names[VT_MAX_RANK][8];
	char shape[256];
	int rank;
	int *slot;

	*out = (struct vt_aug_layout){ -1, -1, -1, -1 };
	vt_tensor_shape_str(t, shape, sizeof shape);
	if (vt_tensor_has_dims(t)) {
		for (int i = 0; i < t->rank; i++)
			snprintf(names[i], sizeof names[i], "%.7s", t->dims[i]);
		rank = t->rank;
	} else if (!layout) {
		return vt_err_set(err, VT_EFORMAT, "tensor '%s' %s has no "
				  "dimension names; give --layout", t->name ?
				  t->name : "", shape);
	} else if (parse_layout(layout, names, &rank) != 0) {
		return vt_err_set(err, VT_EINVAL, "layout '%s' is not a list of "
				  "dimension names such as N,C,H,W", layout);
	} else if (rank != t->rank) {
		return vt_err_set(err, VT_EFORMAT, "tensor '%s' %s has rank %d, "
				  "layout '%s' names %d dimensions",
				  t->name ? t->name : "", shape, t->rank,
				  layout, rank);
	}
	for (int i = 0; i < rank; i++) {
		slot = strcmp(names[i], "N") == 0 ? &out->n
		     : strcmp(names[i], "C") == 0 ? &out->c
		     : strcmp(names[i], "H") == 0 ? &out->h
		     : strcmp(names[i], "W") == 0 ? &out->w : NULL;
		if (!slot || *slot >= 0)
			return vt_err_set(err, VT_EFORMAT, "tensor '%s' %s: "
					  "dimension '%s' is not one of N, C, "
					  "H, W (each at most once)",
					  t->name ? t->name : "", shape,
					  names[i]);
		*slot = i;
	}
	if (out->h < 0 || out->w < 0)
		return vt_err_set(err, VT_EFORMAT, "tensor '%s' %s has no H "
				  "and W dimensions", t->name ? t->name : "",
				  shape);
	if (out->c >= 0 && t->shape[out->c] > MAX_CHANNELS)
		return vt_err_set(err, VT_EUNSUP, "tensor '%s' %s has %llu "
				  "channels, at most %d", t->name ? t->name : "",
				  shape, (unsigned long long)t->shape[out->c],
				  MAX_CHANNELS);
	return 0;
}

static double pick(const double *v, int n, int64_t k)
{
	return v[k < n ? k : n - 1];
}

int vt_aug_tensor_image(const struct vt_aug_job *j, struct vt_tensor *t,
			const struct vt_aug_layout *l, uint64_t item,
			uint64_t stream, const char *name,
			struct vt_rect *rects, int *n, struct vt_err *err)
{
	return vt_aug_tensor_image_guarded(j, t, l, item, stream, name, NULL,
					   rects, n, NULL, err);
}

/* The hole side for an image of h x w. */
static int64_t hole_length(const struct vt_aug_job *j, int64_t h, int64_t w)
{
	int64_t len = j->aug.length;

	if (j->length_frac > 0) {
		len = (int64_t)rint(j->length_frac * (double)(h < w ? h : w));
		if (len < 1)
			len = 1;
	}
	return len;
}

int vt_aug_tensor_check(const struct vt_aug_job *j, const struct vt_tensor *t,
			const struct vt_aug_layout *l, const char *name,
			struct vt_err *err)
{
	int64_t h = (int64_t)t->shape[l->h], w = (int64_t)t->shape[l->w];
	int64_t c = l->c >= 0 ? (int64_t)t->shape[l->c] : 1, len;

	if (t->dtype == VT_BOOL)
		return vt_err_set(err, VT_EUNSUP, "'%s': tensor '%s' is BOOL, "
				  "not an image", name, t->name ? t->name : "");
	if (h == 0 || w == 0 || c == 0)
		return 0;
	if (c > MAX_CHANNELS)
		return vt_err_set(err, VT_EUNSUP, "'%s': %lld channels, at "
				  "most %d", name, (long long)c, MAX_CHANNELS);
	len = hole_length(j, h, w);
	if (j->aug.mode == VT_AUG_CUTOUT && (len > h || len > w))
		return vt_err_set(err, VT_EFORMAT, "'%s': length %lld is "
				  "larger than the image (%lldx%lld)", name,
				  (long long)len, (long long)w, (long long)h);
	return 0;
}

int vt_aug_tensor_image_guarded(const struct vt_aug_job *j,
				struct vt_tensor *t,
				const struct vt_aug_layout *l, uint64_t item,
				uint64_t stream, const char *name,
				const struct vt_aug_guard *g,
				struct vt_rect *rects, int *n, int *skipped,
				struct vt_err *err)
{
	int skip_dummy;
	int64_t stride[VT_MAX_RANK], h, w, c, len, sc;
	double value[MAX_CHANNELS], nstd[MAX_CHANNELS], mean[MAX_CHANNELS];
	bool is_float = vt_dtype_is_float(t->dtype);
	struct vt_fill_spec f = { j->fill, value, NULL, 0 };
	struct vt_rng r;
	char *base;

	*n = 0;
	if (!skipped)
		skipped = &skip_dummy;
	*skipped = 0;
	int rc = vt_aug_tensor_check(j, t, l, name, err);

	if (rc)
		return rc;
	stride[t->rank - 1] = 1;
	for (int i = t->rank - 1; i > 0; i--)
		stride[i - 1] = stride[i] * (int64_t)t->shape[i];
	h = (int64_t)t->shape[l->h];
	w = (int64_t)t->shape[l->w];
	c = l->c >= 0 ? (int64_t)t->shape[l->c] : 1;
	sc = l->c >= 0 ? stride[l->c] : 0;
	base = (char *)t->data + (l->n >= 0 ? (size_t)item *
				  (size_t)stride[l->n] *
				  vt_dtype_size(t->dtype) : 0);
	if (h == 0 || w == 0 || c == 0)
		return 0;
	len = hole_length(j, h, w);
	vt_rng_seed(&r, j->seed, stream);
	*n = vt_aug_draw_guarded(&r, h, w, len, &j->aug, g, rects, skipped);
	if (*n == 0)
		return 0;
	/* fill values in the data's units: pixels 0..255 for integer
	 * tensors, the tensor's own (maybe normalised) units for floats */
	if (j->fill == VT_FILL_MEAN && !j->n_mean)
		vt_aug_channel_mean(base, t->dtype, c, h, w, sc, stride[l->h],
				    stride[l->w], mean);
	for (int64_t k = 0; k < c; k++) {
		switch (j->fill) {
		case VT_FILL_VALUE:
			value[k] = pick(j->value, j->n_value, k);
			break;
		case VT_FILL_MEAN:
			value[k] = !j->n_mean ? mean[k]
				 : !is_float ? pick(j->mean, j->n_mean, k) * 255
				 : j->n_std ? 0.0 : pick(j->mean, j->n_mean, k);
			break;
		case VT_FILL_NOISE:
			value[k] = j->n_mean ? pick(j->mean, j->n_mean, k) : 0;
			nstd[k] = j->n_std ? pick(j->std, j->n_std, k) : 1;
			break;
		default:
			value[k] = 0;
		}
	}
	if (j->fill == VT_FILL_NOISE) {
		f.noise_std = nstd;
		f.normal = j->aug.mode == VT_AUG_ERASE;
	}
	vt_aug_fill(base, t->dtype, c, sc, stride[l->h], stride[l->w], rects,
		    *n, &f, &r);
	return 0;
}

int vt_aug_image(const struct vt_aug_job *j, struct vt_tensor *img,
		 uint64_t stream, const char *name, struct vt_rect *rects,
		 int *n, struct vt_err *err)
{
	return vt_aug_image_guarded(j, img, stream, name, NULL, rects, n, NULL,
				    err);
}

int vt_aug_image_guarded(const struct vt_aug_job *j, struct vt_tensor *img,
			 uint64_t stream, const char *name,
			 const struct vt_aug_guard *g, struct vt_rect *rects,
			 int *n, int *skipped, struct vt_err *err)
{
	static const struct vt_aug_layout hwc = { -1, 2, 0, 1 };
	int rc = vt_image_check(img, name, err);

	*n = 0;
	return rc ? rc : vt_aug_tensor_image_guarded(j, img, &hwc, 0, stream,
						     name, g, rects, n,
						     skipped, err);
}

static bool ext_ok(const char *path, const char *exts)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	size_t len;

	if (!exts)
		return vt_image_readable_ext(path);
	if (!dot || (slash && dot < slash))
		return false;
	dot++;
	len = strlen(dot);
	while (*exts) {
		size_t k = strcspn(exts, ",");

		if (k == len && strncasecmp(exts, dot, k) == 0)
			return true;
		exts += k;
		if (*exts == ',')
			exts++;
	}
	return false;
}

struct list {
	char **v;
	size_t n, cap;
};

static int push(struct list *l, char *s, struct vt_err *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **v = vt_realloc_array(l->v, cap, sizeof *v);

		if (!v) {
			free(s);
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

static int walk(const char *dir, const char *exts, struct list *l, int depth,
		struct vt_err *err)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 64)
		return vt_err_set(err, VT_EUNSUP, "'%s': directories nested "
				  "more than 64 deep", dir);
	d = opendir(dir);
	if (!d)
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open directory",
				  dir);
	while (!rc && (errno = 0, de = readdir(d))) {
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		char *p;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		p = malloc(len);
		if (!p) {
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			break;
		}
		snprintf(p, len, "%s%s%s", dir,
			 dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
		if (lstat(p, &st) != 0) {
			rc = vt_err_sys(err, VT_EOPEN, "'%s': cannot stat", p);
			free(p);
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk(p, exts, l, depth + 1, err);
			free(p);
		} else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
			   ext_ok(p, exts)) {
			rc = push(l, p, err);
		} else {
			free(p);
		}
	}
	if (!rc && errno)
		rc = vt_err_sys(err, VT_EIO, "'%s': cannot read directory",
				dir);
	closedir(d);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vt_aug_walk(const char *dir, const char *exts, char ***paths, size_t *n,
		struct vt_err *err)
{
	struct list l = { *paths, *n, *n };
	size_t first = *n;
	int rc = walk(dir, exts, &l, 0, err);

	qsort(l.v + first, l.n - first, sizeof *l.v, cmp_str);
	*paths = l.v;
	*n = l.n;
	return rc;
}
