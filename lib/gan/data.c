/* data.c - training images for gan-train: Fashion-MNIST, MNIST, IDX files,
 * tensor records and image folders; PIL's bilinear resize; the per-epoch
 * shuffled minibatches. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vt/gan.h"
#include "vt/idx.h"
#include "vt/image.h"
#include "vt/record.h"
#include "vt/size.h"
#include "vt/tensorfile.h"

#define MAX_SIDE 4096

/* ---- PIL's bilinear resize ------------------------------------------ */

#define PREC 22      /* Pillow's PRECISION_BITS for 8-bit images: 32-8-2 */

struct coeffs {
	int ksize;
	int *bounds;      /* per output: first input, count */
	int32_t *k;       /* per output: ksize fixed-point weights */
};

static double triangle(double x)
{
	if (x < 0)
		x = -x;
	return x < 1 ? 1 - x : 0;
}

/* Weights of each output pixel over the input, as Pillow's
 * precompute_coeffs and normalize_coeffs_8bpc compute them. */
static int coeffs_init(struct coeffs *c, int in_size, int out_size)
{
	double scale = (double)in_size / out_size;
	double filterscale = scale < 1 ? 1 : scale;
	double support = 1.0 * filterscale;
	double *w;

	c->ksize = (int)ceil(support) * 2 + 1;
	c->bounds = vt_malloc_array((size_t)out_size, 2 * sizeof(int));
	c->k = vt_malloc_array((size_t)out_size, (size_t)c->ksize *
			       sizeof(int32_t));
	w = vt_malloc_array((size_t)c->ksize, sizeof(double));
	if (!c->bounds || !c->k || !w) {
		free(w);
		return -1;
	}
	for (int xx = 0; xx < out_size; xx++) {
		double center = (xx + 0.5) * scale, ww = 0, ss = 1 / filterscale;
		int xmin = (int)(center - support + 0.5);
		int xmax = (int)(center + support + 0.5);
		int x;

		if (xmin < 0)
			xmin = 0;
		if (xmax > in_size)
			xmax = in_size;
		xmax -= xmin;
		for (x = 0; x < xmax; x++) {
			w[x] = triangle((x + xmin - center + 0.5) * ss);
			ww += w[x];
		}
		for (x = 0; x < c->ksize; x++) {
			double v = x < xmax && ww != 0 ? w[x] / ww : 0;
			double f = v * (1 << PREC);

			c->k[xx * c->ksize + x] = (int32_t)(v < 0 ? f - 0.5 :
							   f + 0.5);
		}
		c->bounds[xx * 2] = xmin;
		c->bounds[xx * 2 + 1] = xmax;
	}
	free(w);
	return 0;
}

static void coeffs_release(struct coeffs *c)
{
	free(c->bounds);
	free(c->k);
}

static uint8_t clip8(int32_t v)
{
	v >>= PREC;
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

int vt_gan_resize_u8(uint8_t *out, size_t oh, size_t ow, const uint8_t *in,
		     size_t ih, size_t iw, size_t c, struct vt_err *err)
{
	struct coeffs hc = { 0 }, vc = { 0 };
	uint8_t *tmp = NULL;
	const uint8_t *src;
	int y0 = 0, rows;
	int rc = 0;

	if (!oh || !ow || !ih || !iw || c < 1 || c > 4 || oh > MAX_SIDE ||
	    ow > MAX_SIDE || ih > 65536 || iw > 65536)
		return vt_err_set(err, VT_EINVAL, "resize: %zux%zu to %zux%zu "
				  "with %zu channels", iw, ih, ow, oh, c);
	if (coeffs_init(&vc, (int)ih, (int)oh) ||
	    coeffs_init(&hc, (int)iw, (int)ow)) {
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		goto done;
	}
	/* rows of the input that the vertical pass reads */
	rows = (int)ih;
	src = in;
	if (ow != iw) {
		y0 = vc.bounds[0];
		rows = vc.bounds[(oh - 1) * 2] + vc.bounds[(oh - 1) * 2 + 1] - y0;
		if (oh == ih) {
			y0 = 0;
			rows = (int)ih;
		}
		tmp = vt_malloc_array((size_t)rows, ow * c);
		if (!tmp) {
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			goto done;
		}
		for (int y = 0; y < rows; y++) {
			const uint8_t *row = in + (size_t)(y + y0) * iw * c;

			for (size_t xx = 0; xx < ow; xx++) {
				const int32_t *k = hc.k + xx * (size_t)hc.ksize;
				int xmin = hc.bounds[xx * 2];
				int xmax = hc.bounds[xx * 2 + 1];

				for (size_t ch = 0; ch < c; ch++) {
					int32_t ss = 1 << (PREC - 1);

					for (int x = 0; x < xmax; x++)
						ss += row[(size_t)(x + xmin) * c +
							  ch] * k[x];
					tmp[((size_t)y * ow + xx) * c + ch] =
						clip8(ss);
				}
			}
		}
		src = tmp;
	}
	if (oh == ih) {
		memcpy(out, src, oh * ow * c);
		goto done;
	}
	for (size_t yy = 0; yy < oh; yy++) {
		const int32_t *k = vc.k + yy * (size_t)vc.ksize;
		int ymin = vc.bounds[yy * 2] - y0;
		int ymax = vc.bounds[yy * 2 + 1];

		for (size_t i = 0; i < ow * c; i++) {
			int32_t ss = 1 << (PREC - 1);

			for (int y = 0; y < ymax; y++)
				ss += src[(size_t)(y + ymin) * ow * c + i] *
				      k[y];
			out[yy * ow * c + i] = clip8(ss);
		}
	}
done:
	coeffs_release(&hc);
	coeffs_release(&vc);
	free(tmp);
	return rc;
}

/* ---- building the array --------------------------------------------- */

float vt_gan_normalize_u8(uint8_t u)
{
	float x = (float)u / 255.0f;

	return (x - 0.5f) / 0.5f;
}

void vt_gan_data_release(struct vt_gan_data *d)
{
	if (!d)
		return;
	vt_tensor_release(&d->images);
	vt_tensor_release(&d->labels);
	memset(d, 0, sizeof *d);
}

static int alloc_images(struct vt_gan_data *d, enum vt_dtype dt, uint64_t n,
			uint64_t c, uint64_t s, struct vt_err *err)
{
	uint64_t shape[4] = { n, c, s, s };
	int rc = vt_tensor_init(&d->images, "images", dt, 4, shape, err);

	if (!rc)
		rc = vt_tensor_set_dims(&d->images, "N,C,H,W", 7, err);
	d->n = n;
	d->c = c;
	d->h = d->w = s;
	return rc;
}

/* Put one planar U8 image (c, ih, iw) at slot i, resized. */
static int put_u8(struct vt_gan_data *d, uint64_t i, const uint8_t *planes,
		  size_t ih, size_t iw, struct vt_err *err)
{
	size_t plane = (size_t)(d->h * d->w);
	uint8_t *o = (uint8_t *)d->images.data + i * d->c * plane;

	for (size_t ch = 0; ch < d->c; ch++) {
		const uint8_t *p = planes + ch * ih * iw;

		if (ih == d->h && iw == d->w) {
			memcpy(o + ch * plane, p, plane);
		} else {
			int rc = vt_gan_resize_u8(o + ch * plane, (size_t)d->h,
						  (size_t)d->w, p, ih, iw, 1,
						  err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int check_side(const char *name, uint64_t h, uint64_t w,
		      struct vt_err *err)
{
	if (h < 1 || w < 1 || h > MAX_SIDE || w > MAX_SIDE)
		return vt_err_set(err, VT_EFORMAT,
				  "'%s': images of %llux%llu pixels (1 to %d "
				  "per side)", name, (unsigned long long)w,
				  (unsigned long long)h, MAX_SIDE);
	return 0;
}

/* U8 [n,c,h,w] planar source into d (n already limited). */
static int from_u8_planar(struct vt_gan_data *d, const char *name,
			  const uint8_t *src, uint64_t n, uint64_t c,
			  uint64_t h, uint64_t w, uint32_t size,
			  uint32_t channels, struct vt_err *err)
{
	int rc = check_side(name, h, w, err);

	if (rc)
		return rc;
	if (c != channels)
		return vt_err_set(err, VT_EFORMAT, "'%s': images of %llu "
				  "channel%s, the config wants %u", name,
				  (unsigned long long)c, c == 1 ? "" : "s",
				  channels);
	rc = alloc_images(d, VT_U8, n, c, size, err);
	for (uint64_t i = 0; !rc && i < n; i++)
		rc = put_u8(d, i, src + i * c * h * w, (size_t)h, (size_t)w,
			    err);
	return rc;
}

static int labels_from(struct vt_gan_data *d, const char *name,
		       const struct vt_tensor *t, struct vt_err *err)
{
	uint64_t shape[1] = { d->n };
	int rc;

	if (t->rank != 1 || t->shape[0] < d->n ||
	    (t->dtype != VT_U8 && t->dtype != VT_I64 && t->dtype != VT_I32 &&
	     t->dtype != VT_I16 && t->dtype != VT_I8))
		return vt_err_set(err, VT_EFORMAT, "'%s': labels must be an "
				  "integer [N] with N >= %llu", name,
				  (unsigned long long)d->n);
	rc = vt_tensor_init(&d->labels, "labels", VT_I64, 1, shape, err);
	if (!rc)
		rc = vt_tensor_set_dims(&d->labels, "N", 1, err);
	for (uint64_t i = 0; !rc && i < d->n; i++)
		((int64_t *)d->labels.data)[i] =
			(int64_t)vt_dtype_load(t->dtype, t->data, i);
	return rc;
}

static uint64_t limit_n(uint64_t n, const struct vt_gan_data_opts *o)
{
	return o && o->max_images && o->max_images < n ? o->max_images : n;
}

/* ---- IDX -------------------------------------------------------------- */

static int load_idx(struct vt_gan_data *d, const char *path,
		    const char *labels, uint32_t size, uint32_t channels,
		    const struct vt_gan_data_opts *o, struct vt_err *err)
{
	struct vt_tensor t, l;
	uint64_t n, total;
	int rc = vt_idx_read(path, 0, &t, err);

	if (rc)
		return rc;
	if (t.dtype != VT_U8 || t.rank != 3) {
		char s[128];

		vt_tensor_shape_str(&t, s, sizeof s);
		vt_tensor_release(&t);
		return vt_err_set(err, VT_EFORMAT, "'%s': %s %s, expected U8 "
				  "images [N,H,W]", path,
				  vt_dtype_name(t.dtype), s);
	}
	n = limit_n(t.shape[0], o);
	if (n == 0) {
		vt_tensor_release(&t);
		return vt_err_set(err, VT_EFORMAT, "'%s': no images", path);
	}
	total = t.shape[0];
	rc = from_u8_planar(d, path, t.data, n, 1, t.shape[1], t.shape[2],
			    size, channels, err);
	vt_tensor_release(&t);
	if (rc || !labels)
		return rc;
	rc = vt_idx_read(labels, 0, &l, err);
	if (rc == VT_EOPEN && err && err->sys_errno == ENOENT)
		return 0;     /* no labels beside the images: fine */
	if (!rc) {
		if (l.rank == 1 && l.shape[0] != total)
			rc = vt_err_set(err, VT_EFORMAT, "'%s': %llu labels for "
					"%llu images", labels,
					(unsigned long long)l.shape[0],
					(unsigned long long)total);
		else
			rc = labels_from(d, labels, &l, err);
	}
	vt_tensor_release(&l);
	return rc;
}

/* "x-images-idx3-y" -> "x-labels-idx1-y" in a malloc'd string, or NULL */
static char *labels_path(const char *images)
{
	const char *base = strrchr(images, '/');
	const char *hit = strstr(base ? base : images, "images-idx3");
	char *out;

	if (!hit)
		return NULL;
	out = malloc(strlen(images) + 1);
	if (!out)
		return NULL;
	memcpy(out, images, (size_t)(hit - images));
	strcpy(out + (hit - images), "labels-idx1");
	strcat(out, hit + strlen("images-idx3"));
	return out;
}

static int load_idx_pair(struct vt_gan_data *d, const char *dir,
			 const char *prefix, uint32_t size, uint32_t channels,
			 const struct vt_gan_data_opts *o, struct vt_err *err)
{
	char img[1200], lab[1200];

	snprintf(img, sizeof img, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
	snprintf(lab, sizeof lab, "%s/%s-labels-idx1-ubyte.gz", dir, prefix);
	return load_idx(d, img, lab, size, channels, o, err);
}

/* ---- tensor records --------------------------------------------------- */

static int load_record(struct vt_gan_data *d, const char *path,
		       uint32_t size, uint32_t channels,
		       const struct vt_gan_data_opts *o, struct vt_err *err)
{
	struct vt_record r;
	struct vt_reader_opts ro = { 0 };
	const struct vt_tensor *t, *l;
	uint64_t n, c, h, w;
	int rc;

	vt_record_init(&r);
	if (vt_path_is_npy(path)) {
		rc = vt_record_from_npy(path, &r, err);
	} else {
		struct vt_reader *rd;

		ro.single = -1;
		rc = vt_reader_open(&rd, path, &ro, err);
		if (!rc) {
			rc = vt_reader_next(rd, &r, err);
			if (rc == 0) {
				rc = vt_err_set(err, VT_EFORMAT,
						"'%s': no record", path);
			} else if (rc == 1) {
				/* make the tensors outlive the reader */
				rc = 0;
				for (size_t i = 0; !rc && i < r.n_tensors; i++)
					rc = vt_tensor_own(&r.tensors[i], err);
			}
			vt_reader_close(rd);
		}
	}
	if (rc) {
		vt_record_release(&r);
		return rc;
	}
	t = vt_record_find(&r, "images");
	if (!t && r.n_tensors == 1)
		t = &r.tensors[0];
	if (!t) {
		vt_record_release(&r);
		return vt_err_set(err, VT_EFORMAT, "'%s': no tensor 'images' "
				  "(and more than one tensor)", path);
	}
	if ((t->dtype != VT_U8 && t->dtype != VT_F32) ||
	    (t->rank != 3 && t->rank != 4)) {
		char s[128];

		vt_tensor_shape_str(t, s, sizeof s);
		rc = vt_err_set(err, VT_EFORMAT, "'%s': '%s' is %s %s, "
				"expected U8 or F32 [N,H,W] or [N,C,H,W]", path,
				t->name, vt_dtype_name(t->dtype), s);
		vt_record_release(&r);
		return rc;
	}
	n = limit_n(t->shape[0], o);
	c = t->rank == 4 ? t->shape[1] : 1;
	h = t->shape[t->rank - 2];
	w = t->shape[t->rank - 1];
	if (n == 0)
		rc = vt_err_set(err, VT_EFORMAT, "'%s': no images", path);
	else if (t->dtype == VT_U8)
		rc = from_u8_planar(d, path, t->data, n, c, h, w, size,
				    channels, err);
	else if (h != size || w != size || c != channels)
		rc = vt_err_set(err, VT_EFORMAT, "'%s': F32 images of "
				"%llux%llux%llu, the config wants %ux%ux%u (F32 "
				"images are not resized)", path,
				(unsigned long long)c, (unsigned long long)h,
				(unsigned long long)w, channels, size, size);
	else {
		rc = alloc_images(d, VT_F32, n, c, size, err);
		if (!rc)
			memcpy(d->images.data, t->data, d->images.nbytes);
		for (uint64_t i = 0; !rc && i < n * c * h * w; i++) {
			float v = ((const float *)t->data)[i];

			if (!(v >= -1.0f && v <= 1.0f))
				rc = vt_err_set(err, VT_EFORMAT, "'%s': F32 "
						"value %g at %llu is outside "
						"[-1, 1]", path, (double)v,
						(unsigned long long)i);
		}
	}
	l = vt_record_find(&r, "labels");
	if (!rc && l)
		rc = labels_from(d, path, l, err);
	vt_record_release(&r);
	return rc;
}

/* ---- image folders ---------------------------------------------------- */

struct file {
	char *path;
	int64_t label;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir (skipping dot files); *n set. */
static int list_dir(const char *dir, char ***out, size_t *n,
		    struct vt_err *err)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (!dh)
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open", dir);
	while ((errno = 0, de = readdir(dh))) {
		if (de->d_name[0] == '.')
			continue;
		if (cnt == cap) {
			char **nv = vt_realloc_array(v, cap ? cap * 2 : 64,
						     sizeof *nv);

			if (!nv)
				goto oom;
			v = nv;
			cap = cap ? cap * 2 : 64;
		}
		v[cnt] = strdup(de->d_name);
		if (!v[cnt])
			goto oom;
		cnt++;
	}
	if (errno) {
		int rc = vt_err_sys(err, VT_EIO, "'%s': cannot read", dir);

		for (size_t i = 0; i < cnt; i++)
			free(v[i]);
		free(v);
		closedir(dh);
		return rc;
	}
	closedir(dh);
	if (cnt)
		qsort(v, cnt, sizeof *v, cmp_str);
	*out = v;
	*n = cnt;
	return 0;
oom:
	for (size_t i = 0; i < cnt; i++)
		free(v[i]);
	free(v);
	closedir(dh);
	return vt_err_set(err, VT_ENOMEM, "out of memory");
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (p) {
		memcpy(p, a, la);
		p[la] = '/';
		memcpy(p + la + 1, b, lb + 1);
	}
	return p;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int add_file(struct file **files, size_t *n, size_t *cap, char *path,
		    int64_t label)
{
	if (*n == *cap) {
		struct file *nf = vt_realloc_array(*files, *cap ? *cap * 2 : 256,
						   sizeof *nf);

		if (!nf)
			return -1;
		*files = nf;
		*cap = *cap ? *cap * 2 : 256;
	}
	(*files)[*n].path = path;
	(*files)[(*n)++].label = label;
	return 0;
}

/* Images of dir (flat), or of its subdirectories as classes. */
static int collect(const char *dir, struct file **files, size_t *n,
		   bool *labelled, struct vt_err *err)
{
	char **names;
	size_t cnt, cap = 0;
	int64_t cls = 0;
	int rc = list_dir(dir, &names, &cnt, err);

	*files = NULL;
	*n = 0;
	*labelled = false;
	for (size_t i = 0; !rc && i < cnt; i++) {
		char *p = join(dir, names[i]);
		char **sub;
		size_t ns, before = *n;

		if (!p) {
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			break;
		}
		if (!is_dir(p)) {
			free(p);
			continue;
		}
		rc = list_dir(p, &sub, &ns, err);
		for (size_t j = 0; !rc && j < ns; j++) {
			char *q = vt_image_readable_ext(sub[j]) ?
				  join(p, sub[j]) : NULL;

			if (q && !is_dir(q) && add_file(files, n, &cap, q, cls))
				rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			else if (q && is_dir(q))
				free(q);
		}
		for (size_t j = 0; j < ns; j++)
			free(sub[j]);
		free(sub);
		free(p);
		if (*n > before)
			cls++;
	}
	if (!rc && *n)
		*labelled = true;
	for (size_t i = 0; !rc && !*labelled && i < cnt; i++) {
		char *p = vt_image_readable_ext(names[i]) ?
			  join(dir, names[i]) : NULL;

		if (p && !is_dir(p) && add_file(files, n, &cap, p, -1))
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		else if (p && is_dir(p))
			free(p);
	}
	for (size_t i = 0; i < cnt; i++)
		free(names[i]);
	free(names);
	if (rc) {
		for (size_t i = 0; i < *n; i++)
			free((*files)[i].path);
		free(*files);
		*files = NULL;
		*n = 0;
	}
	if (!rc && *n == 0)
		rc = vt_err_set(err, VT_EFORMAT, "'%s': no image files in it "
				"or its subdirectories", dir);
	return rc;
}

/* One decoded image (H,W,native C) into planar `channels` planes, as PIL's
 * convert would make them. */
static void to_planes(uint8_t *planes, const struct vt_tensor *img,
		      uint32_t channels)
{
	size_t h = (size_t)img->shape[0], w = (size_t)img->shape[1];
	size_t nc = (size_t)img->shape[2];
	const uint8_t *p = img->data;

	for (size_t i = 0; i < h * w; i++) {
		const uint8_t *px = p + i * nc;

		for (size_t ch = 0; ch < channels; ch++) {
			uint8_t v;

			if (channels == 1 || channels == 2) {
				/* L: PIL's ITU-R 601-2 luma in 16-bit fixed
				 * point; LA keeps alpha */
				if (ch == 1)
					v = nc == 2 || nc == 4 ? px[nc - 1] :
					    255;
				else if (nc >= 3)
					v = (uint8_t)((px[0] * 19595u +
						       px[1] * 38470u +
						       px[2] * 7471u +
						       0x8000u) >> 16);
				else
					v = px[0];
			} else if (nc >= 3) {
				v = ch < 3 ? px[ch] : nc == 4 ? px[3] : 255;
			} else {
				v = ch < 3 ? px[0] : nc == 2 ? px[1] : 255;
			}
			planes[ch * h * w + i] = v;
		}
	}
}

static int load_folder(struct vt_gan_data *d, const char *dir, uint32_t size,
		       uint32_t channels, const struct vt_gan_data_opts *o,
		       struct vt_err *err)
{
	struct file *files;
	size_t n, total;
	bool labelled;
	uint8_t *planes = NULL;
	size_t planes_cap = 0;
	int rc = collect(dir, &files, &n, &labelled, err);

	if (rc)
		return rc;
	total = n;
	n = (size_t)limit_n(n, o);
	rc = alloc_images(d, VT_U8, n, channels, size, err);
	if (!rc && labelled) {
		uint64_t shape[1] = { n };

		rc = vt_tensor_init(&d->labels, "labels", VT_I64, 1, shape,
				    err);
		if (!rc)
			rc = vt_tensor_set_dims(&d->labels, "N", 1, err);
	}
	for (size_t i = 0; !rc && i < n; i++) {
		struct vt_tensor img;
		size_t h, w, need;

		rc = vt_image_read(files[i].path, 0, NULL, &img, err);
		if (rc)
			break;
		h = (size_t)img.shape[0];
		w = (size_t)img.shape[1];
		rc = check_side(files[i].path, h, w, err);
		need = h * w * channels;
		if (!rc && need > planes_cap) {
			uint8_t *np = realloc(planes, need);

			if (!np)
				rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			else {
				planes = np;
				planes_cap = need;
			}
		}
		if (!rc) {
			to_planes(planes, &img, channels);
			rc = put_u8(d, i, planes, h, w, err);
		}
		if (!rc && labelled)
			((int64_t *)d->labels.data)[i] = files[i].label;
		vt_tensor_release(&img);
	}
	free(planes);
	for (size_t i = 0; i < total; i++)
		free(files[i].path);
	free(files);
	return rc;
}

/* ---- the spec --------------------------------------------------------- */

void vt_gan_mnist_dir(const struct vt_gan_data_opts *opts, char *buf,
		      size_t size)
{
	const char *env = getenv("VT_MNIST_DIR");
	const char *home = getenv("HOME");

	if (opts && opts->mnist_dir)
		snprintf(buf, size, "%s", opts->mnist_dir);
	else if (env && *env)
		snprintf(buf, size, "%s", env);
	else
		snprintf(buf, size, "%s/.cache/vt/mnist",
			 home && *home ? home : ".");
}

int vt_gan_data_load(struct vt_gan_data *d, const char *spec, uint32_t size,
		     uint32_t channels, const struct vt_gan_data_opts *opts,
		     struct vt_err *err)
{
	const char *fdir = opts && opts->fashion_dir ? opts->fashion_dir :
			   VT_GAN_FASHION_DIR;
	char dir[1024];
	struct stat st;
	int rc;

	memset(d, 0, sizeof *d);
	if (size < 1 || size > MAX_SIDE || channels < 1 || channels > 4)
		return vt_err_set(err, VT_EINVAL, "data: size %u, channels %u",
				  size, channels);
	if (strcmp(spec, "fashion-mnist") == 0 ||
	    strcmp(spec, "fashion-mnist:train") == 0)
		rc = load_idx_pair(d, fdir, "train", size, channels, opts, err);
	else if (strcmp(spec, "fashion-mnist:test") == 0)
		rc = load_idx_pair(d, fdir, "t10k", size, channels, opts, err);
	else if (strcmp(spec, "mnist") == 0) {
		vt_gan_mnist_dir(opts, dir, sizeof dir);
		rc = load_idx_pair(d, dir, "train", size, channels, opts, err);
		if (rc == VT_EOPEN && err && err->sys_errno == ENOENT)
			vt_err_prefix(err, "mnist (make it with "
				      "scripts/fetch-mnist)");
	} else if (stat(spec, &st) != 0) {
		rc = vt_err_sys(err, VT_EOPEN, "'%s': no such dataset (not "
				"fashion-mnist, fashion-mnist:test, mnist, a "
				"file or a directory)", spec);
	} else if (S_ISDIR(st.st_mode)) {
		rc = load_folder(d, spec, size, channels, opts, err);
	} else if (vt_idx_is_path(spec)) {
		char *lp = labels_path(spec);

		rc = load_idx(d, spec, lp, size, channels, opts, err);
		free(lp);
	} else {
		rc = load_record(d, spec, size, channels, opts, err);
	}
	if (rc)
		vt_gan_data_release(d);
	return rc;
}

int vt_gan_data_f32(struct vt_gan_data *d, struct vt_err *err)
{
	struct vt_tensor t;
	float lut[256];
	int rc;

	if (d->images.dtype == VT_F32)
		return 0;
	rc = vt_tensor_init(&t, "images", VT_F32, 4, d->images.shape, err);
	if (rc)
		return rc;
	vt_tensor_set_dims(&t, "N,C,H,W", 7, NULL);
	for (int i = 0; i < 256; i++)
		lut[i] = vt_gan_normalize_u8((uint8_t)i);
	for (size_t i = 0; i < d->images.nbytes; i++)
		((float *)t.data)[i] = lut[((uint8_t *)d->images.data)[i]];
	vt_tensor_release(&d->images);
	d->images = t;
	return 0;
}

void vt_gan_data_gather(const struct vt_gan_data *d, const uint64_t *idx,
			size_t count, float *out)
{
	size_t per = (size_t)(d->c * d->h * d->w);

	if (d->images.dtype == VT_F32) {
		for (size_t i = 0; i < count; i++)
			memcpy(out + i * per, (const float *)d->images.data +
			       idx[i] * per, per * sizeof(float));
		return;
	}
	for (size_t i = 0; i < count; i++) {
		const uint8_t *src = (const uint8_t *)d->images.data +
				     idx[i] * per;

		for (size_t j = 0; j < per; j++)
			out[i * per + j] = vt_gan_normalize_u8(src[j]);
	}
}

/* ---- minibatches ------------------------------------------------------ */

int vt_gan_batcher_init(struct vt_gan_batcher *b, uint64_t n, uint64_t batch,
			struct vt_err *err)
{
	memset(b, 0, sizeof *b);
	if (n < 1 || batch < 1)
		return vt_err_set(err, VT_EINVAL, "batcher: %llu images, batch "
				  "%llu", (unsigned long long)n,
				  (unsigned long long)batch);
	b->perm = vt_malloc_array((size_t)n, sizeof *b->perm);
	if (!b->perm)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	b->n = n;
	b->batch = batch;
	b->pos = n;      /* the first call starts epoch 0 */
	return 0;
}

void vt_gan_batcher_release(struct vt_gan_batcher *b)
{
	if (!b)
		return;
	free(b->perm);
	memset(b, 0, sizeof *b);
}

size_t vt_gan_batcher_next(struct vt_gan_batcher *b, struct vt_rng *rng,
			   const uint64_t **idx)
{
	size_t count;

	if (b->pos >= b->n) {
		/* a new epoch: Fisher-Yates over the identity */
		for (uint64_t i = 0; i < b->n; i++)
			b->perm[i] = i;
		for (uint64_t i = b->n - 1; i > 0; i--) {
			uint64_t j = (uint64_t)vt_rng_range(rng, 0, (int64_t)i);
			uint64_t t = b->perm[i];

			b->perm[i] = b->perm[j];
			b->perm[j] = t;
		}
		if (b->started)
			b->epoch++;
		b->started = true;
		b->pos = 0;
	}
	count = (size_t)(b->n - b->pos < b->batch ? b->n - b->pos : b->batch);
	*idx = b->perm + b->pos;
	b->pos += count;
	return count;
}

uint64_t vt_gan_batcher_per_epoch(const struct vt_gan_batcher *b)
{
	return (b->n + b->batch - 1) / b->batch;
}
