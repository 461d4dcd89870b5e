/* cutout.c - Cutout and Random Erasing: drawing rectangles, filling them. */
#include <math.h>
#include <string.h>

#include "vt/augment.h"

static const char *const mode_names[] = { "cutout", "erase" };
_Static_assert(sizeof mode_names / sizeof mode_names[0] == VT_AUG_MODE_COUNT,
	       "mode_names");
static const char *const fill_names[] = { "zero", "mean", "noise", "value" };
_Static_assert(sizeof fill_names / sizeof fill_names[0] == VT_FILL_COUNT,
	       "fill_names");

const char *vt_aug_mode_name(enum vt_aug_mode m)
{
	return (unsigned)m < VT_AUG_MODE_COUNT ? mode_names[m] : NULL;
}

const char *vt_fill_name(enum vt_fill f)
{
	return (unsigned)f < VT_FILL_COUNT ? fill_names[f] : NULL;
}

void vt_aug_opts_init(struct vt_aug_opts *o)
{
	memset(o, 0, sizeof *o);
	o->mode = VT_AUG_CUTOUT;
	o->holes = 1;
	o->p = 1.0;
	o->scale[0] = 0.02;
	o->scale[1] = 0.33;
	o->ratio[0] = 0.3;
	o->ratio[1] = 3.3;
}

int vt_aug_opts_check(const struct vt_aug_opts *o, struct vt_err *err)
{
	if ((unsigned)o->mode >= VT_AUG_MODE_COUNT)
		return vt_err_set(err, VT_EINVAL, "unknown mode %d", (int)o->mode);
	if (o->holes < 1 || o->holes > VT_AUG_MAX_HOLES)
		return vt_err_set(err, VT_EINVAL, "holes: %d is not in 1..%d",
				  o->holes, VT_AUG_MAX_HOLES);
	if (!(o->p >= 0.0 && o->p <= 1.0))
		return vt_err_set(err, VT_EINVAL, "probability %g is not in "
				  "0..1", o->p);
	if (o->mode == VT_AUG_CUTOUT && o->length < 1)
		return vt_err_set(err, VT_EINVAL, "length %lld is not a "
				  "positive number of pixels",
				  (long long)o->length);
	if (o->mode == VT_AUG_ERASE) {
		if (!(o->scale[0] >= 0.0 && o->scale[0] <= o->scale[1] &&
		      o->scale[1] <= 1.0))
			return vt_err_set(err, VT_EINVAL, "scale %g:%g is not "
					  "0 <= a <= b <= 1", o->scale[0],
					  o->scale[1]);
		if (!(o->ratio[0] > 0.0 && o->ratio[0] <= o->ratio[1] &&
		      o->ratio[1] < 1e300))
			return vt_err_set(err, VT_EINVAL, "ratio %g:%g is not "
					  "0 < a <= b", o->ratio[0],
					  o->ratio[1]);
	}
	return 0;
}

static int64_t clip(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void cutout_one(struct vt_rng *r, int64_t h, int64_t w, int64_t half,
		       struct vt_rect *out);

/* Applied when u < p; one draw always, so p does not shift later draws. */
static int applies(struct vt_rng *r, double p)
{
	return vt_rng_uniform(r) < p;
}

int vt_cutout_draw(struct vt_rng *r, int64_t h, int64_t w, int64_t length,
		   int holes, double p, struct vt_rect *rects)
{
	int64_t half = length / 2;

	if (!applies(r, p) || h < 1 || w < 1)
		return 0;
	for (int k = 0; k < holes; k++)
		cutout_one(r, h, w, half, &rects[k]);
	return holes;
}

double vt_det_exp(double x)
{
	/* x = k ln2 + r, |r| <= ln2 / 2; ln2 split so that k * hi is exact */
	const double ln2_hi = 6.93147180369123816490e-01;
	const double ln2_lo = 1.90821492927058770002e-10;
	double k = rint(x * 1.44269504088896338700e+00);
	double rr = (x - k * ln2_hi) - k * ln2_lo;
	double term = 1.0, sum = 1.0;

	/* Taylor series: the 17th term is below 2^-60 for |r| <= 0.35 */
	for (int i = 1; i <= 17; i++) {
		term = term * rr / i;
		sum += term;
	}
	return ldexp(sum, (int)k);
}

/* One erasing rectangle as torchvision draws it; 0 after 10 misses. */
static int erase_one(struct vt_rng *r, int64_t h, int64_t w,
		     const double scale[2], const double log_ratio[2],
		     struct vt_rect *out)
{
	double area = (double)h * (double)w;

	for (int attempt = 0; attempt < 10; attempt++) {
		double ea = area * (scale[0] + (scale[1] - scale[0]) *
					       vt_rng_uniform(r));
		double ar = vt_det_exp(log_ratio[0] + (log_ratio[1] -
						       log_ratio[0]) *
						      vt_rng_uniform(r));
		/* rint: round half to even, as Python's round() */
		int64_t eh = (int64_t)rint(sqrt(ea * ar));
		int64_t ew = (int64_t)rint(sqrt(ea / ar));
		int64_t top, left;

		if (!(eh < h && ew < w))
			continue;
		top = vt_rng_range(r, 0, h - eh);
		left = vt_rng_range(r, 0, w - ew);
		*out = (struct vt_rect){ .y1 = top, .x1 = left, .y2 = top + eh,
					 .x2 = left + ew, .cy = top,
					 .cx = left };
		return 1;
	}
	return 0;
}

int vt_random_erasing_draw(struct vt_rng *r, int64_t h, int64_t w,
			   const double scale[2], const double ratio[2],
			   int holes, double p, struct vt_rect *rects)
{
	double lr[2] = { vt_det_log(ratio[0]), vt_det_log(ratio[1]) };
	int n = 0;

	if (!applies(r, p) || h < 1 || w < 1)
		return 0;
	for (int k = 0; k < holes; k++)
		n += erase_one(r, h, w, scale, lr, &rects[n]);
	return n;
}

int vt_aug_draw(struct vt_rng *r, int64_t h, int64_t w,
		const struct vt_aug_opts *o, struct vt_rect *rects)
{
	if (o->mode == VT_AUG_ERASE)
		return vt_random_erasing_draw(r, h, w, o->scale, o->ratio,
					      o->holes, o->p, rects);
	return vt_cutout_draw(r, h, w, o->length, o->holes, o->p, rects);
}

double vt_aug_box_covered(const struct vt_rect *R, const double b[4])
{
	double area = (b[2] - b[0]) * (b[3] - b[1]);
	double ix = fmin((double)R->x2, b[2]) - fmax((double)R->x1, b[0]);
	double iy = fmin((double)R->y2, b[3]) - fmax((double)R->y1, b[1]);

	if (!(area > 0) || !(ix > 0) || !(iy > 0))
		return 0.0;
	return fmin(ix * iy / area, 1.0);
}

bool vt_aug_rect_occludes(const struct vt_rect *R, const double *boxes,
			  size_t n, double max_frac)
{
	for (size_t i = 0; i < n; i++)
		if (vt_aug_box_covered(R, boxes + 4 * i) > max_frac)
			return true;
	return false;
}

static void cutout_one(struct vt_rng *r, int64_t h, int64_t w, int64_t half,
		       struct vt_rect *out)
{
	int64_t cy = vt_rng_range(r, 0, h - 1);
	int64_t cx = vt_rng_range(r, 0, w - 1);

	*out = (struct vt_rect){
		.y1 = clip(cy - half, 0, h), .y2 = clip(cy + half, 0, h),
		.x1 = clip(cx - half, 0, w), .x2 = clip(cx + half, 0, w),
		.cy = cy, .cx = cx,
	};
}

int vt_aug_draw_guarded(struct vt_rng *r, int64_t h, int64_t w,
			int64_t length, const struct vt_aug_opts *o,
			const struct vt_aug_guard *g, struct vt_rect *rects,
			int *skipped)
{
	bool erase = o->mode == VT_AUG_ERASE;
	double lr[2] = { 0, 0 };
	int n = 0;

	*skipped = 0;
	if (!g || g->n == 0) {
		struct vt_aug_opts t = *o;

		t.length = length;
		return vt_aug_draw(r, h, w, &t, rects);
	}
	if (erase) {
		lr[0] = vt_det_log(o->ratio[0]);
		lr[1] = vt_det_log(o->ratio[1]);
	}
	if (!applies(r, o->p) || h < 1 || w < 1)
		return 0;
	for (int k = 0; k < o->holes; k++) {
		int attempt;

		for (attempt = 0; attempt < VT_AUG_BOX_ATTEMPTS; attempt++) {
			if (erase) {
				if (!erase_one(r, h, w, o->scale, lr, &rects[n]))
					break;   /* torchvision's no-op */
			} else {
				cutout_one(r, h, w, length / 2, &rects[n]);
			}
			if (!vt_aug_rect_occludes(&rects[n], g->boxes, g->n,
						  g->max_frac)) {
				n++;
				break;
			}
		}
		if (attempt == VT_AUG_BOX_ATTEMPTS)
			(*skipped)++;
	}
	return n;
}

static uint8_t to_u8(double v)
{
	return v >= 255.0 ? 255 : v > 0.0 ? (uint8_t)rint(v) : 0;
}

static double noise(const struct vt_fill_spec *f, enum vt_dtype dt, int64_t k,
		    struct vt_rng *r)
{
	double u;

	if (!vt_dtype_is_float(dt))
		return (double)vt_rng_range(r, 0, 255);
	if (f->normal)
		return vt_rng_normal(r);
	u = vt_rng_uniform(r);
	if (f->value)
		u -= f->value[k];
	if (f->noise_std)
		u /= f->noise_std[k];
	return u;
}

/* A constant per channel into U8 or F32 data, row by row. */
static bool fill_const(void *base, enum vt_dtype dt, int64_t c, int64_t sc,
		       int64_t sy, int64_t sx, const struct vt_rect *rects,
		       int n, const struct vt_fill_spec *f)
{
	if (f->fill == VT_FILL_NOISE || (dt != VT_U8 && dt != VT_F32))
		return false;
	for (int q = 0; q < n; q++) {
		const struct vt_rect *R = &rects[q];

		for (int64_t k = 0; k < c; k++) {
			double v = f->fill == VT_FILL_ZERO ? 0.0 : f->value[k];

			for (int64_t y = R->y1; y < R->y2; y++) {
				int64_t off = k * sc + y * sy + R->x1 * sx;
				int64_t len = R->x2 - R->x1;

				if (dt == VT_U8 && sx == 1) {
					memset((uint8_t *)base + off, to_u8(v),
					       (size_t)len);
				} else if (dt == VT_U8) {
					uint8_t u = to_u8(v), *p = base;

					for (int64_t x = 0; x < len; x++)
						p[off + x * sx] = u;
				} else {
					float fv = (float)v, *p = base;

					for (int64_t x = 0; x < len; x++)
						p[off + x * sx] = fv;
				}
			}
		}
	}
	return true;
}

void vt_aug_fill(void *base, enum vt_dtype dt, int64_t c, int64_t sc,
		 int64_t sy, int64_t sx, const struct vt_rect *rects, int n,
		 const struct vt_fill_spec *f, struct vt_rng *r)
{
	if (fill_const(base, dt, c, sc, sy, sx, rects, n, f))
		return;
	for (int q = 0; q < n; q++) {
		const struct vt_rect *R = &rects[q];

		for (int64_t y = R->y1; y < R->y2; y++)
			for (int64_t x = R->x1; x < R->x2; x++)
				for (int64_t k = 0; k < c; k++) {
					int64_t off = k * sc + y * sy + x * sx;
					double v = 0.0;

					if (f->fill == VT_FILL_NOISE)
						v = noise(f, dt, k, r);
					else if (f->fill != VT_FILL_ZERO)
						v = f->value[k];
					if (dt == VT_U8)
						((uint8_t *)base)[off] = to_u8(v);
					else if (dt == VT_F32)
						((float *)base)[off] = (float)v;
					else
						vt_dtype_store(dt, base,
							       (size_t)off, v);
				}
	}
}

void vt_aug_channel_mean(const void *base, enum vt_dtype dt, int64_t c,
			 int64_t h, int64_t w, int64_t sc, int64_t sy,
			 int64_t sx, double *mean)
{
	for (int64_t k = 0; k < c; k++) {
		double s = 0.0;

		for (int64_t y = 0; y < h; y++)
			for (int64_t x = 0; x < w; x++)
				s += vt_dtype_load(dt, base, (size_t)(k * sc +
						   y * sy + x * sx));
		mean[k] = h > 0 && w > 0 ? s / ((double)h * (double)w) : 0.0;
	}
}

void vt_aug_mask(uint8_t *mask, int64_t h, int64_t w,
		 const struct vt_rect *rects, int n, uint8_t keep)
{
	memset(mask, keep, (size_t)(h * w));
	for (int q = 0; q < n; q++)
		for (int64_t y = rects[q].y1; y < rects[q].y2; y++)
			memset(mask + y * w + rects[q].x1, 0,
			       (size_t)(rects[q].x2 - rects[q].x1));
}
