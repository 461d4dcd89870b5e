/* op_conv.c - 2-D convolutions (NCHW) through OpenBLAS: conv2d, its adjoint
 * conv_transpose2d, the weight gradient, and nearest upsampling x2 with its
 * adjoint (2x2 sum pooling).
 *
 * Three ops close the family under differentiation.  With "conv geometry"
 * an image [C,H,W], a kernel [K_out, C, kh, kw] and an output [K_out, Ho, Wo]:
 *   conv2d      image -> output              y = W * x
 *   conv_t2d    output -> image              the adjoint in x: W^T * x
 *   wgrad       (output, image) -> kernel    the adjoint in W
 * so each op's backward is written with the other two (and itself), and
 * every derivative, double backward included, is again one of them.
 *
 * Kernels.  Per sample: im2col into the graph's scratch buffer (columns
 * [C*kh*kw, Ho*Wo]), then one gemm; 1x1 kernels with stride 1 and no
 * padding use the image itself as the columns.  gemm's transpose flags do
 * every transposition; nothing is copied transposed.  The products run on
 * vt's worker pool (gemm.c).
 */
#include <string.h>

#include "vt/parallel.h"

#include "nn_impl.h"

/* conv geometry: image [c,h,w], kernel [k,c,kh,kw], output [k,oh,ow] */
struct geo {
	int64_t n, c, h, w, k, kh, kw, oh, ow;
	int64_t sh, sw, ph, pw;
};

static int64_t col_rows(const struct geo *q)
{
	return q->c * q->kh * q->kw;
}

static bool plain_1x1(const struct geo *q)
{
	return q->kh == 1 && q->kw == 1 && q->sh == 1 && q->sw == 1 &&
	       q->ph == 0 && q->pw == 0;
}

/* the outputs ox in [*lo, *hi) whose input column ox*s - p + kj lies in
 * [0, w) */
static void valid_range(int64_t kj, const struct geo *q, int64_t *lo,
			int64_t *hi)
{
	int64_t off = kj - q->pw, l = 0, h;

	if (off < 0)
		l = (-off + q->sw - 1) / q->sw;
	/* largest ox with ox*s + off <= w - 1 */
	h = q->w - 1 - off < 0 ? 0 : (q->w - 1 - off) / q->sw + 1;
	if (h > q->ow)
		h = q->ow;
	if (l > h)
		l = h;
	*lo = l;
	*hi = h;
}

#define IM2COL(T, SUF) \
	/* col [c*kh*kw, oh*ow] (rows ld apart) from img [c,h,w] */ \
	VT_NN_SIMD static void im2col_##SUF(T *col, int64_t ld, const T *img, \
				 const struct geo *q) \
	{ \
		for (int64_t c = 0; c < q->c; c++) \
		for (int64_t ki = 0; ki < q->kh; ki++) \
		for (int64_t kj = 0; kj < q->kw; kj++) { \
			T *row = col + ((c * q->kh + ki) * q->kw + kj) * ld; \
			const T *src = img + c * q->h * q->w; \
			int64_t lo, hi, off = kj - q->pw; \
			valid_range(kj, q, &lo, &hi); \
			for (int64_t oy = 0; oy < q->oh; oy++) { \
				int64_t iy = oy * q->sh - q->ph + ki; \
				T *o = row + oy * q->ow; \
				if (iy < 0 || iy >= q->h) { \
					memset(o, 0, (size_t)q->ow * sizeof(T)); \
					continue; \
				} \
				for (int64_t ox = 0; ox < lo; ox++) \
					o[ox] = 0; \
				if (hi > lo) { \
					/* first valid input column: lo*sw+off */ \
					const T *s = src + iy * q->w + \
						     lo * q->sw + off; \
					T *d = o + lo; \
					if (q->sw == 1) \
						memcpy(d, s, (size_t)(hi - lo) * \
							     sizeof(T)); \
					else \
						for (int64_t t = 0; t < hi - lo; \
						     t++) \
							d[t] = s[t * q->sw]; \
				} \
				for (int64_t ox = hi; ox < q->ow; ox++) \
					o[ox] = 0; \
			} \
		} \
	} \
	/* img [c,h,w] += the columns col [c*kh*kw, oh*ow] put back */ \
	VT_NN_SIMD static void col2im_##SUF(T *img, const T *col, int64_t ld, \
				 const struct geo *q) \
	{ \
		for (int64_t c = 0; c < q->c; c++) \
		for (int64_t ki = 0; ki < q->kh; ki++) \
		for (int64_t kj = 0; kj < q->kw; kj++) { \
			const T *row = col + \
				((c * q->kh + ki) * q->kw + kj) * ld; \
			T *dst = img + c * q->h * q->w; \
			int64_t lo, hi, off = kj - q->pw; \
			valid_range(kj, q, &lo, &hi); \
			for (int64_t oy = 0; oy < q->oh; oy++) { \
				int64_t iy = oy * q->sh - q->ph + ki; \
				const T *s = row + oy * q->ow; \
				if (iy < 0 || iy >= q->h) \
					continue; \
				if (hi <= lo) \
					continue; \
				T *d = dst + iy * q->w + lo * q->sw + off; \
				const T *e = s + lo; \
				if (q->sw == 1) \
					for (int64_t t = 0; t < hi - lo; t++) \
						d[t] += e[t]; \
				else \
					for (int64_t t = 0; t < hi - lo; t++) \
						d[t * q->sw] += e[t]; \
			} \
		} \
	}

IM2COL(float, f32)
IM2COL(double, f64)

static void im2col(enum vt_dtype dt, void *col, int64_t ld, const void *img,
		   const struct geo *q)
{
	if (dt == VT_F32)
		im2col_f32(col, ld, img, q);
	else
		im2col_f64(col, ld, img, q);
}

static void col2im(enum vt_dtype dt, void *img, const void *col, int64_t ld,
		   const struct geo *q)
{
	if (dt == VT_F32)
		col2im_f32(img, col, ld, q);
	else
		col2im_f64(img, col, ld, q);
}

/* c [m,n] = op(a) op(b) + beta c, row-major with leading dimensions */
static void gemm(enum vt_dtype dt, bool ta, bool tb, int64_t m, int64_t n,
		 int64_t k, const void *a, int64_t lda, const void *b,
		 int64_t ldb, double beta, void *c, int64_t ldc)
{
	vt_nn__gemm(dt, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

/* y [n,ch,plane]: each channel's plane set to b[ch], or zero */
static void fill_bias(struct vt_nn_val *y, const struct vt_nn_val *b,
		      int64_t n, int64_t ch, int64_t plane)
{
	if (!b) {
		memset(y->data, 0, y->numel * vt_dtype_size(y->dtype));
		return;
	}
	for (int64_t i = 0; i < n; i++)
		for (int64_t c = 0; c < ch; c++) {
			size_t o = (size_t)((i * ch + c) * plane);

			if (y->dtype == VT_F32) {
				float v = VT_NN_F32(b)[c], *d = VT_NN_F32(y) + o;

				for (int64_t j = 0; j < plane; j++)
					d[j] = v;
			} else {
				double v = VT_NN_F64(b)[c];
				double *d = VT_NN_F64(y) + o;

				for (int64_t j = 0; j < plane; j++)
					d[j] = v;
			}
		}
}

static void *sample(const struct vt_nn_val *x, int64_t i, int64_t per)
{
	return (char *)x->data + (size_t)(i * per) * vt_dtype_size(x->dtype);
}

/* samples [nb][k][p] += block columns: sample j channel o at blk
 * + o * ldb + j * p */
VT_NN_SIMD static void scatter_add(void *y, const void *blk, int64_t nb,
				   int64_t k, int64_t p, int64_t ldb,
				   enum vt_dtype dt)
{
	for (int64_t j = 0; j < nb; j++)
		for (int64_t o = 0; o < k; o++) {
			size_t dy = (size_t)((j * k + o) * p);
			size_t db = (size_t)(o * ldb + j * p);

			if (dt == VT_F32) {
				float *d = (float *)y + dy;
				const float *s = (const float *)blk + db;

				for (int64_t i = 0; i < p; i++)
					d[i] += s[i];
			} else {
				double *d = (double *)y + dy;
				const double *s = (const double *)blk + db;

				for (int64_t i = 0; i < p; i++)
					d[i] += s[i];
			}
		}
}

/* ---- per-sample work on the worker pool ----
 *
 * The copies around the products (im2col, col2im, gather, scatter, the
 * direct kernels, the phase interleave) touch each sample's own memory, so
 * they run as one task per sample (or per channel block where a sum over
 * samples is involved); the order of every sum stays the same. */
enum samp_kind { S_IM2COL, S_COL2IM, S_GATHER, S_SCATTER };

struct samp_job {
	enum samp_kind kind;
	enum vt_dtype dt;
	const struct geo *q;
	void *dst;
	const void *src;
	int64_t i0, m, p, ld, k;
};

static void samp_task(void *arg, int j)
{
	const struct samp_job *s = arg;
	size_t esz = vt_dtype_size(s->dt);
	const struct geo *q = s->q;

	switch (s->kind) {
	case S_IM2COL:   /* col [kr, m*p] column block j <- x sample i0 + j */
		im2col(s->dt, (char *)s->dst + (size_t)(j * s->p) * esz, s->ld,
		       (const char *)s->src +
			       (size_t)((s->i0 + j) * q->c * q->h * q->w) * esz,
		       q);
		break;
	case S_COL2IM:   /* img sample i0 + j += col column block j */
		col2im(s->dt,
		       (char *)s->dst +
			       (size_t)((s->i0 + j) * q->c * q->h * q->w) * esz,
		       (const char *)s->src + (size_t)(j * s->p) * esz, s->ld,
		       q);
		break;
	case S_GATHER:   /* blk [k, m*p] column block j <- sample j [k][p] */
		for (int64_t o = 0; o < s->k; o++)
			memcpy((char *)s->dst +
				       (size_t)((o * s->m + j) * s->p) * esz,
			       (const char *)s->src +
				       (size_t)((j * s->k + o) * s->p) * esz,
			       (size_t)s->p * esz);
		break;
	default:         /* sample j [k][p] += blk column block j */
		scatter_add((char *)s->dst + (size_t)(j * s->k * s->p) * esz,
			    (const char *)s->src + (size_t)(j * s->p) * esz, 1,
			    s->k, s->p, s->m * s->p, s->dt);
		break;
	}
}

static void per_sample(enum samp_kind kind, enum vt_dtype dt,
		       const struct geo *q, void *dst, const void *src,
		       int64_t i0, int64_t m, int64_t p, int64_t ld, int64_t k)
{
	struct samp_job s = { kind, dt, q, dst, src, i0, m, p, ld, k };

	vt_par_run((int)m, samp_task, &s);
}

/* ---- the three kernels ----
 *
 * Samples go through gemm in chunks of nb: the columns of a chunk sit side
 * by side ([rows, nb*p], sample j at column j*p), so layers with small
 * outputs (the discriminator's 2x2 to 16x16) make few, wide gemms and the
 * weight gradient sums over nb*p columns in one product.  nb keeps a chunk
 * near CHUNK_COLS columns and its buffers within CHUNK_BYTES.  8192
 * columns (eight 32x32 samples) against 4096: dcgan 307-319 ms a step
 * against 337-355 on two cores (fewer products, each weight packed fewer
 * times); 2048 was no better.
 */

#define CHUNK_COLS 8192
#define CHUNK_BYTES ((size_t)24 << 20)

static int64_t chunk(const struct geo *q, size_t esz)
{
	int64_t p = q->oh * q->ow, kr = col_rows(q), nb;

	nb = (CHUNK_COLS + p - 1) / p;
	while (nb > 1 && (size_t)((kr + q->k) * nb * p) * esz > CHUNK_BYTES)
		nb--;
	return nb < q->n ? nb : q->n;
}

/* columns for nb samples and a [k, nb*p] block, from the scratch buffer */
static bool buffers(struct vt_nn_graph *g, const struct geo *q, int64_t nb,
		    size_t esz, void **col, void **blk)
{
	size_t ncol = (size_t)(col_rows(q) * nb * q->oh * q->ow) * esz;
	size_t nblk = (size_t)(q->k * nb * q->oh * q->ow) * esz;
	char *m;

	ncol = (ncol + 63) & ~(size_t)63;
	m = vt_nn__scratch(g, ncol + nblk);
	if (!m)
		return false;
	*col = m;
	*blk = m + ncol;
	return true;
}

/* Few output channels (a generator's last layer, 64 -> 1): im2col would
 * move kh*kw copies of the input for a product one row high, so the three
 * kernels loop directly over taps instead.  mode 0: y += conv(x, w);
 * 1: img += conv^T(x, w); 2: gw += wgrad(gy = x, img). */
#define DIRECT_MAX_K 2

#define DIRECT(T, SUF) \
	VT_NN_SIMD static void direct_##SUF(int mode, T *out, const T *a, const T *b, \
				 const T *w, const struct geo *q, \
				 int64_t n0, int64_t n1, int64_t c0, \
				 int64_t c1) \
	{ \
		int64_t p = q->oh * q->ow, hw = q->h * q->w; \
		for (int64_t n = n0; n < n1; n++) \
		for (int64_t o = 0; o < q->k; o++) \
		for (int64_t c = c0; c < c1; c++) \
		for (int64_t ki = 0; ki < q->kh; ki++) \
		for (int64_t kj = 0; kj < q->kw; kj++) { \
			int64_t lo, hi, off = kj - q->pw; \
			size_t wi = (size_t)(((o * q->c + c) * q->kh + ki) * \
					     q->kw + kj); \
			/* a: unused in mode 0; b: unused in mode 1 */ \
			const T *ap = mode ? a + (n * q->k + o) * p : NULL; \
			const T *bp = mode != 1 ? b + (n * q->c + c) * hw \
						: NULL; \
			T *op = out + (mode == 0 ? (n * q->k + o) * p \
				       : (n * q->c + c) * hw); \
			T wv = mode == 2 ? (T)0 : w[wi], acc = 0; \
			int64_t cnt, x0; \
			valid_range(kj, q, &lo, &hi); \
			cnt = hi - lo; \
			x0 = lo * q->sw + off;  /* first valid column */ \
			for (int64_t oy = 0; oy < q->oh && cnt > 0; oy++) { \
				int64_t iy = oy * q->sh - q->ph + ki; \
				if (iy < 0 || iy >= q->h) \
					continue; \
				const T *xr = bp ? bp + iy * q->w + x0 : NULL; \
				const T *gr = ap ? ap + oy * q->ow + lo : NULL; \
				if (mode == 0) { \
					T *yr = op + oy * q->ow + lo; \
					if (q->sw == 1) \
						for (int64_t t = 0; t < cnt; t++) \
							yr[t] += wv * xr[t]; \
					else \
						for (int64_t t = 0; t < cnt; t++) \
							yr[t] += wv * \
								 xr[t * q->sw]; \
				} else if (mode == 1) { \
					T *dr = op + iy * q->w + x0; \
					if (q->sw == 1) \
						for (int64_t t = 0; t < cnt; t++) \
							dr[t] += wv * gr[t]; \
					else \
						for (int64_t t = 0; t < cnt; t++) \
							dr[t * q->sw] += wv * \
									 gr[t]; \
				} else { \
					/* eight partial sums: vectorisable */ \
					T l[8] = { 0 }; \
					int64_t t = 0; \
					if (q->sw == 1) \
						for (; t + 8 <= cnt; t += 8) \
							for (int j = 0; j < 8; j++) \
								l[j] += gr[t + j] * \
									xr[t + j]; \
					for (; t < cnt; t++) \
						l[0] += gr[t] * xr[t * q->sw]; \
					acc += ((l[0] + l[1]) + (l[2] + l[3])) + \
					       ((l[4] + l[5]) + (l[6] + l[7])); \
				} \
			} \
			if (mode == 2) \
				out[wi] += acc; \
		} \
	}

DIRECT(float, f32)
DIRECT(double, f64)

struct direct_job {
	enum vt_dtype dt;
	int mode;
	void *out;
	const void *a, *b, *w;
	const struct geo *q;
};

/* modes 0 and 1: one task per sample; mode 2 sums over the samples into
 * each weight, so one task per input channel (samples in order inside) */
static void direct_task(void *arg, int t)
{
	const struct direct_job *j = arg;
	const struct geo *q = j->q;
	int64_t n0 = j->mode == 2 ? 0 : t, n1 = j->mode == 2 ? q->n : t + 1;
	int64_t c0 = j->mode == 2 ? t : 0, c1 = j->mode == 2 ? t + 1 : q->c;

	if (j->dt == VT_F32)
		direct_f32(j->mode, j->out, j->a, j->b, j->w, q, n0, n1, c0,
			   c1);
	else
		direct_f64(j->mode, j->out, j->a, j->b, j->w, q, n0, n1, c0,
			   c1);
}

/* mode 0: a unused, b = x, out = y; 1: a = x, out = img; 2: a = gy,
 * b = x, out = gw */
static void direct(enum vt_dtype dt, int mode, void *out, const void *a,
		   const void *b, const void *w, const struct geo *q)
{
	struct direct_job j = { dt, mode, out, a, b, w, q };

	vt_par_run((int)(mode == 2 ? q->c : q->n), direct_task, &j);
}

/* y [n,k,oh,ow] (bias-filled) += conv of x [n,c,h,w] with w [k,c,kh,kw] */
static bool run_conv(struct vt_nn_graph *g, struct vt_nn_val *y,
		     const struct vt_nn_val *x, const struct vt_nn_val *w,
		     const struct geo *q)
{
	int64_t kr = col_rows(q), p = q->oh * q->ow, hw = q->h * q->w, nb;
	size_t esz = vt_dtype_size(y->dtype);
	void *col, *blk;

	if (!kr || !p || !q->n)
		return true;
	if (q->k <= DIRECT_MAX_K) {
		direct(y->dtype, 0, y->data, NULL, x->data, w->data, q);
		return true;
	}
	nb = chunk(q, esz);
	if (nb == 1 && plain_1x1(q)) {
		for (int64_t i = 0; i < q->n; i++)
			gemm(y->dtype, false, false, q->k, p, kr, w->data, kr,
			     sample(x, i, q->c * hw), p, 1.0,
			     sample(y, i, q->k * p), p);
		return true;
	}
	if (!buffers(g, q, nb, esz, &col, &blk))
		return false;
	for (int64_t i0 = 0; i0 < q->n; i0 += nb) {
		int64_t m = q->n - i0 < nb ? q->n - i0 : nb;

		per_sample(S_IM2COL, y->dtype, q, col, x->data, i0, m, p,
			   m * p, 0);
		if (m == 1) {
			gemm(y->dtype, false, false, q->k, p, kr, w->data, kr,
			     col, p, 1.0, sample(y, i0, q->k * p), p);
			continue;
		}
		gemm(y->dtype, false, false, q->k, m * p, kr, w->data, kr, col,
		     m * p, 0.0, blk, m * p);
		per_sample(S_SCATTER, y->dtype, q, sample(y, i0, q->k * p),
			   blk, 0, m, p, 0, q->k);
	}
	return true;
}

/* img [n,c,h,w] (bias-filled) += conv^T of x [n,k,oh,ow] with w [k,c,kh,kw] */
static bool run_convt(struct vt_nn_graph *g, struct vt_nn_val *img,
		      const struct vt_nn_val *x, const struct vt_nn_val *w,
		      const struct geo *q)
{
	int64_t kr = col_rows(q), p = q->oh * q->ow, hw = q->h * q->w, nb;
	size_t esz = vt_dtype_size(img->dtype);
	void *col, *blk;

	if (!kr || !p || !q->n)
		return true;
	if (q->k <= DIRECT_MAX_K) {
		direct(img->dtype, 1, img->data, x->data, NULL, w->data, q);
		return true;
	}
	nb = chunk(q, esz);
	if (nb == 1 && plain_1x1(q)) {
		for (int64_t i = 0; i < q->n; i++)
			gemm(img->dtype, true, false, kr, p, q->k, w->data, kr,
			     sample(x, i, q->k * p), p, 1.0,
			     sample(img, i, q->c * hw), p);
		return true;
	}
	if (!buffers(g, q, nb, esz, &col, &blk))
		return false;
	for (int64_t i0 = 0; i0 < q->n; i0 += nb) {
		int64_t m = q->n - i0 < nb ? q->n - i0 : nb;
		const void *src = sample(x, i0, q->k * p);

		if (m > 1) {
			per_sample(S_GATHER, img->dtype, q, blk, src, 0, m, p,
				   0, q->k);
			src = blk;
		}
		gemm(img->dtype, true, false, kr, m * p, q->k, w->data, kr, src,
		     m * p, 0.0, col, m * p);
		per_sample(S_COL2IM, img->dtype, q, img->data, col, i0, m, p,
			   m * p, 0);
	}
	return true;
}

/* gw [k,c,kh,kw] = sum over samples of gy [n,k,oh,ow] x im2col(x [n,c,h,w])^T */
static bool run_wgrad(struct vt_nn_graph *g, struct vt_nn_val *gw,
		      const struct vt_nn_val *gy, const struct vt_nn_val *x,
		      const struct geo *q)
{
	int64_t kr = col_rows(q), p = q->oh * q->ow, hw = q->h * q->w, nb;
	size_t esz = vt_dtype_size(gw->dtype);
	void *col, *blk;

	memset(gw->data, 0, gw->numel * esz);
	if (!kr || !p || !q->k || !q->n)
		return true;
	if (q->k <= DIRECT_MAX_K) {
		direct(gw->dtype, 2, gw->data, gy->data, x->data, NULL, q);
		return true;
	}
	nb = chunk(q, esz);
	if (nb == 1 && plain_1x1(q)) {
		for (int64_t i = 0; i < q->n; i++)
			gemm(gw->dtype, false, true, q->k, kr, p,
			     sample(gy, i, q->k * p), p,
			     sample(x, i, q->c * hw), p, 1.0, gw->data, kr);
		return true;
	}
	if (!buffers(g, q, nb, esz, &col, &blk))
		return false;
	for (int64_t i0 = 0; i0 < q->n; i0 += nb) {
		int64_t m = q->n - i0 < nb ? q->n - i0 : nb;
		const void *a = sample(gy, i0, q->k * p);

		per_sample(S_IM2COL, gw->dtype, q, col, x->data, i0, m, p,
			   m * p, 0);
		if (m > 1) {
			per_sample(S_GATHER, gw->dtype, q, blk, a, 0, m, p, 0,
				   q->k);
			a = blk;
		}
		gemm(gw->dtype, false, true, q->k, kr, m * p, a, m * p, col,
		     m * p, 1.0, gw->data, kr);
	}
	return true;
}

/* ---- checks ---- */

static bool is4d(struct vt_nn_graph *g, const struct vt_nn_val *x,
		 const char *op, const char *what)
{
	char buf[96];

	if (!vt_nn__check_float(g, x, op))
		return false;
	if (x->rank != 4 || x->numel > INT32_MAX) {
		vt_nn__fail(g, VT_EINVAL, "%s: %s %s, expected [N,C,H,W]", op,
			    what, vt_nn__shape_str(x, buf, sizeof buf));
		return false;
	}
	return true;
}

static bool same_dtype(struct vt_nn_graph *g, const struct vt_nn_val *a,
		       const struct vt_nn_val *b, const char *op)
{
	if (a->dtype == b->dtype)
		return true;
	vt_nn__fail(g, VT_EINVAL, "%s: dtypes %s and %s differ", op,
		    vt_dtype_name(a->dtype), vt_dtype_name(b->dtype));
	return false;
}

static bool bias_ok(struct vt_nn_graph *g, const struct vt_nn_val *b,
		    int64_t ch, enum vt_dtype dt, const char *op)
{
	char buf[96];

	if (!b)
		return true;
	if (b->rank != 1 || b->shape[0] != ch || b->dtype != dt) {
		vt_nn__fail(g, VT_EINVAL, "%s: bias %s %s, expected %s [%lld]",
			    op, vt_dtype_name(b->dtype),
			    vt_nn__shape_str(b, buf, sizeof buf),
			    vt_dtype_name(dt), (long long)ch);
		return false;
	}
	return true;
}

static bool stride_pad_ok(struct vt_nn_graph *g, int64_t s, int64_t p,
			  const char *op)
{
	if (s >= 1 && s <= 4096 && p >= 0 && p <= 4096)
		return true;
	vt_nn__fail(g, VT_EINVAL, "%s: stride %lld or padding %lld out of range",
		    op, (long long)s, (long long)p);
	return false;
}

/* every buffer and gemm extent within int (BLAS's index type) */
static bool geo_fits(struct vt_nn_graph *g, const struct geo *q,
		     const char *op)
{
	double lim = INT32_MAX, kr = (double)q->c * (double)q->kh * (double)q->kw;
	double p = (double)q->oh * (double)q->ow, hw = (double)q->h * (double)q->w;

	if (kr * p <= lim && (double)q->n * (double)q->c * hw <= lim &&
	    (double)q->n * (double)q->k * p <= lim && kr * (double)q->k <= lim)
		return true;
	vt_nn__fail(g, VT_EINVAL, "%s: sizes too large", op);
	return false;
}

/* conv output extent of an input extent, or -1 */
static int64_t out_extent(int64_t in, int64_t k, int64_t s, int64_t p)
{
	if (in + 2 * p < k)
		return -1;
	return (in + 2 * p - k) / s + 1;
}

static void set_ip(struct vt_nn_val *y, const struct geo *q)
{
	y->ip[0] = q->sh;
	y->ip[1] = q->sw;
	y->ip[2] = q->ph;
	y->ip[3] = q->pw;
}

static void get_ip(const struct vt_nn_val *y, struct geo *q)
{
	q->sh = y->ip[0];
	q->sw = y->ip[1];
	q->ph = y->ip[2];
	q->pw = y->ip[3];
}

/* ---- conv2d ---- */

static struct vt_nn_val *conv2d(struct vt_nn_graph *g, struct vt_nn_val *x,
				struct vt_nn_val *w, struct vt_nn_val *b,
				int64_t sh, int64_t sw, int64_t ph, int64_t pw)
{
	struct vt_nn_val *src[3] = { x, w, b }, *y;
	int nsrc = b ? 3 : 2;
	struct geo q;
	int64_t shape[4];
	char s1[96], s2[96];

	if (!x || !w || g->status)
		return vt_nn__result(g, VT_NN_OP_CONV2D, VT_F32, 0, NULL, 2,
				     src);
	if (!is4d(g, x, "conv2d", "input") || !is4d(g, w, "conv2d", "weight") ||
	    !same_dtype(g, x, w, "conv2d") ||
	    !stride_pad_ok(g, sh, ph, "conv2d") ||
	    !stride_pad_ok(g, sw, pw, "conv2d"))
		return NULL;
	q = (struct geo){ .n = x->shape[0], .c = x->shape[1], .h = x->shape[2],
			  .w = x->shape[3], .k = w->shape[0], .kh = w->shape[2],
			  .kw = w->shape[3], .sh = sh, .sw = sw, .ph = ph,
			  .pw = pw };
	q.oh = out_extent(q.h, q.kh, sh, ph);
	q.ow = out_extent(q.w, q.kw, sw, pw);
	if (w->shape[1] != q.c || q.oh < 1 || q.ow < 1)
		return vt_nn__fail(g, VT_EINVAL,
				   "conv2d: input %s does not fit weight %s "
				   "(stride %lld, padding %lld)",
				   vt_nn__shape_str(x, s1, sizeof s1),
				   vt_nn__shape_str(w, s2, sizeof s2),
				   (long long)sh, (long long)ph);
	if (!bias_ok(g, b, q.k, x->dtype, "conv2d") ||
	    !geo_fits(g, &q, "conv2d"))
		return NULL;
	shape[0] = q.n;
	shape[1] = q.k;
	shape[2] = q.oh;
	shape[3] = q.ow;
	y = vt_nn__result(g, VT_NN_OP_CONV2D, x->dtype, 4, shape, nsrc, src);
	if (!y)
		return NULL;
	set_ip(y, &q);
	fill_bias(y, b, q.n, q.k, q.oh * q.ow);
	if (!run_conv(g, y, x, w, &q))
		return NULL;
	return y;
}

struct vt_nn_val *vt_nn_conv2d(struct vt_nn_graph *g, struct vt_nn_val *x,
			       struct vt_nn_val *w, struct vt_nn_val *b,
			       int stride, int padding)
{
	return conv2d(g, x, w, b, stride, stride, padding, padding);
}

/* ---- conv_transpose2d, with an explicit output size ---- */

static struct vt_nn_val *convt2d(struct vt_nn_graph *g, struct vt_nn_val *x,
				 struct vt_nn_val *w, struct vt_nn_val *b,
				 int64_t sh, int64_t sw, int64_t ph,
				 int64_t pw, int64_t oh, int64_t ow)
{
	struct vt_nn_val *src[3] = { x, w, b }, *y;
	int nsrc = b ? 3 : 2;
	struct geo q;
	int64_t shape[4];
	char s1[96], s2[96];

	if (!x || !w || g->status)
		return vt_nn__result(g, VT_NN_OP_CONV_TRANSPOSE2D, VT_F32, 0,
				     NULL, 2, src);
	if (!is4d(g, x, "conv_transpose2d", "input") ||
	    !is4d(g, w, "conv_transpose2d", "weight") ||
	    !same_dtype(g, x, w, "conv_transpose2d") ||
	    !stride_pad_ok(g, sh, ph, "conv_transpose2d") ||
	    !stride_pad_ok(g, sw, pw, "conv_transpose2d"))
		return NULL;
	/* in conv geometry the output of this op is the image */
	q = (struct geo){ .n = x->shape[0], .c = w->shape[1], .h = oh,
			  .w = ow, .k = x->shape[1], .kh = w->shape[2],
			  .kw = w->shape[3], .oh = x->shape[2],
			  .ow = x->shape[3], .sh = sh, .sw = sw, .ph = ph,
			  .pw = pw };
	if (w->shape[0] != q.k || oh < 1 || ow < 1 ||
	    out_extent(oh, q.kh, sh, ph) != q.oh ||
	    out_extent(ow, q.kw, sw, pw) != q.ow)
		return vt_nn__fail(g, VT_EINVAL,
				   "conv_transpose2d: input %s does not fit "
				   "weight %s (stride %lld, padding %lld, "
				   "output %lldx%lld)",
				   vt_nn__shape_str(x, s1, sizeof s1),
				   vt_nn__shape_str(w, s2, sizeof s2),
				   (long long)sh, (long long)ph,
				   (long long)oh, (long long)ow);
	if (!bias_ok(g, b, q.c, x->dtype, "conv_transpose2d"))
		return NULL;
	shape[0] = q.n;
	shape[1] = q.c;
	shape[2] = oh;
	shape[3] = ow;
	if (!geo_fits(g, &q, "conv_transpose2d"))
		return NULL;
	y = vt_nn__result(g, VT_NN_OP_CONV_TRANSPOSE2D, x->dtype, 4, shape,
			  nsrc, src);
	if (!y)
		return NULL;
	set_ip(y, &q);
	fill_bias(y, b, q.n, q.c, oh * ow);
	if (!run_convt(g, y, x, w, &q))
		return NULL;
	return y;
}

struct vt_nn_val *vt_nn_conv_transpose2d(struct vt_nn_graph *g,
					 struct vt_nn_val *x,
					 struct vt_nn_val *w,
					 struct vt_nn_val *b, int stride,
					 int padding, int output_padding)
{
	int64_t oh, ow;

	if (!x || !w || g->status || x->rank != 4 || w->rank != 4)
		return convt2d(g, x, w, b, stride, stride, padding, padding, 0,
			       0);
	if (output_padding < 0 || output_padding >= stride)
		return vt_nn__fail(g, VT_EINVAL,
				   "conv_transpose2d: output padding %d, "
				   "expected 0..%d", output_padding,
				   stride - 1);
	oh = (x->shape[2] - 1) * stride - 2 * (int64_t)padding + w->shape[2] +
	     output_padding;
	ow = (x->shape[3] - 1) * stride - 2 * (int64_t)padding + w->shape[3] +
	     output_padding;
	return convt2d(g, x, w, b, stride, stride, padding, padding, oh, ow);
}

/* ---- the weight gradient ---- */

static struct vt_nn_val *wgrad(struct vt_nn_graph *g, struct vt_nn_val *gy,
			       struct vt_nn_val *x, int64_t kh, int64_t kw,
			       int64_t sh, int64_t sw, int64_t ph, int64_t pw)
{
	struct vt_nn_val *src[2] = { gy, x }, *y;
	struct geo q;
	int64_t shape[4];
	char s1[96], s2[96];

	if (!gy || !x || g->status)
		return vt_nn__result(g, VT_NN_OP_CONV2D_WGRAD, VT_F32, 0, NULL,
				     2, src);
	if (!is4d(g, gy, "conv2d_wgrad", "output gradient") ||
	    !is4d(g, x, "conv2d_wgrad", "input") ||
	    !same_dtype(g, gy, x, "conv2d_wgrad") ||
	    !stride_pad_ok(g, sh, ph, "conv2d_wgrad") ||
	    !stride_pad_ok(g, sw, pw, "conv2d_wgrad"))
		return NULL;
	q = (struct geo){ .n = x->shape[0], .c = x->shape[1], .h = x->shape[2],
			  .w = x->shape[3], .k = gy->shape[1], .kh = kh,
			  .kw = kw, .oh = gy->shape[2], .ow = gy->shape[3],
			  .sh = sh, .sw = sw, .ph = ph, .pw = pw };
	if (kh < 1 || kw < 1 || kh > 4096 || kw > 4096 ||
	    gy->shape[0] != q.n || out_extent(q.h, kh, sh, ph) != q.oh ||
	    out_extent(q.w, kw, sw, pw) != q.ow)
		return vt_nn__fail(g, VT_EINVAL,
				   "conv2d_wgrad: output gradient %s does not "
				   "fit input %s with a %lldx%lld kernel",
				   vt_nn__shape_str(gy, s1, sizeof s1),
				   vt_nn__shape_str(x, s2, sizeof s2),
				   (long long)kh, (long long)kw);
	if (!geo_fits(g, &q, "conv2d_wgrad"))
		return NULL;
	shape[0] = q.k;
	shape[1] = q.c;
	shape[2] = kh;
	shape[3] = kw;
	y = vt_nn__result(g, VT_NN_OP_CONV2D_WGRAD, x->dtype, 4, shape, 2,
			  src);
	if (!y)
		return NULL;
	set_ip(y, &q);
	if (!run_wgrad(g, y, gy, x, &q))
		return NULL;
	return y;
}

struct vt_nn_val *vt_nn_conv2d_wgrad(struct vt_nn_graph *g,
				     struct vt_nn_val *gy, struct vt_nn_val *x,
				     int kh, int kw, int stride, int padding)
{
	return wgrad(g, gy, x, kh, kw, stride, stride, padding, padding);
}

/* the per-channel sum of gy [N,C,H,W] as [C] (a bias gradient) */
static struct vt_nn_val *bias_grad(struct vt_nn_graph *g, struct vt_nn_val *gy)
{
	return vt_nn_channel_sum(g, gy);
}

VT_NN_BW(conv2d)
{
	/* y = conv(x, w) + b */
	struct vt_nn_val *x = y->src[0], *w = y->src[1];
	struct geo q;

	get_ip(y, &q);
	if (need[0])
		gx[0] = convt2d(g, gy, w, NULL, q.sh, q.sw, q.ph, q.pw,
				x->shape[2], x->shape[3]);
	if (need[1])
		gx[1] = wgrad(g, gy, x, w->shape[2], w->shape[3], q.sh, q.sw,
			      q.ph, q.pw);
	if (y->nsrc > 2 && need[2])
		gx[2] = bias_grad(g, gy);
}

VT_NN_BW(conv_transpose2d)
{
	/* y = conv^T(x, w) + b: x is the conv output, y the conv image */
	struct vt_nn_val *x = y->src[0], *w = y->src[1];
	struct geo q;

	get_ip(y, &q);
	if (need[0])
		gx[0] = conv2d(g, gy, w, NULL, q.sh, q.sw, q.ph, q.pw);
	if (need[1])
		gx[1] = wgrad(g, x, gy, w->shape[2], w->shape[3], q.sh, q.sw,
			      q.ph, q.pw);
	if (y->nsrc > 2 && need[2])
		gx[2] = bias_grad(g, gy);
}

VT_NN_BW(conv2d_wgrad)
{
	/* y = wgrad(a, x), bilinear: <G, y> = <a, conv(x, G)>
	 * = <x, conv^T(a, G)> */
	struct vt_nn_val *a = y->src[0], *x = y->src[1];
	struct geo q;

	get_ip(y, &q);
	if (need[0])
		gx[0] = conv2d(g, x, gy, NULL, q.sh, q.sw, q.ph, q.pw);
	if (need[1])
		gx[1] = convt2d(g, a, gy, NULL, q.sh, q.sw, q.ph, q.pw,
				x->shape[2], x->shape[3]);
}

/* ---- nearest upsampling x2 and 2x2 sum pooling ---- */

#define UPDOWN(T, SUF) \
	VT_NN_SIMD static void up_##SUF(T *y, const T *x, int64_t planes, int64_t h, \
			     int64_t w) \
	{ \
		for (int64_t p = 0; p < planes; p++) \
		for (int64_t i = 0; i < h; i++) { \
			const T *s = x + (p * h + i) * w; \
			T *d0 = y + (p * 2 * h + 2 * i) * 2 * w, *d1 = d0 + 2 * w; \
			for (int64_t j = 0; j < w; j++) { \
				d0[2 * j] = d0[2 * j + 1] = s[j]; \
				d1[2 * j] = d1[2 * j + 1] = s[j]; \
			} \
		} \
	} \
	/* y [planes,h,w] = 2x2 block sums of x [planes,2h,2w] */ \
	VT_NN_SIMD static void down_##SUF(T *y, const T *x, int64_t planes, int64_t h, \
			       int64_t w) \
	{ \
		for (int64_t p = 0; p < planes; p++) \
		for (int64_t i = 0; i < h; i++) { \
			const T *s0 = x + (p * 2 * h + 2 * i) * 2 * w; \
			const T *s1 = s0 + 2 * w; \
			T *d = y + (p * h + i) * w; \
			for (int64_t j = 0; j < w; j++) \
				d[j] = (s0[2 * j] + s0[2 * j + 1]) + \
				       (s1[2 * j] + s1[2 * j + 1]); \
		} \
	}

UPDOWN(float, f32)
UPDOWN(double, f64)

struct vt_nn_val *vt_nn_upsample2x(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	struct vt_nn_val *y;
	int64_t shape[4];

	if (!x || g->status)
		return vt_nn__result(g, VT_NN_OP_UPSAMPLE2X, VT_F32, 0, NULL, 1,
				     &x);
	if (!is4d(g, x, "upsample2x", "input"))
		return NULL;
	shape[0] = x->shape[0];
	shape[1] = x->shape[1];
	shape[2] = 2 * x->shape[2];
	shape[3] = 2 * x->shape[3];
	y = vt_nn__result(g, VT_NN_OP_UPSAMPLE2X, x->dtype, 4, shape, 1, &x);
	if (!y)
		return NULL;
	if (y->dtype == VT_F32)
		up_f32(y->data, x->data, shape[0] * shape[1], x->shape[2],
		       x->shape[3]);
	else
		up_f64(y->data, x->data, shape[0] * shape[1], x->shape[2],
		       x->shape[3]);
	return y;
}

struct vt_nn_val *vt_nn_sumpool2x(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	struct vt_nn_val *y;
	int64_t shape[4];
	char buf[96];

	if (!x || g->status)
		return vt_nn__result(g, VT_NN_OP_SUMPOOL2X, VT_F32, 0, NULL, 1,
				     &x);
	if (!is4d(g, x, "sumpool2x", "input"))
		return NULL;
	if (x->shape[2] % 2 || x->shape[3] % 2)
		return vt_nn__fail(g, VT_EINVAL,
				   "sumpool2x: input %s, expected even H and W",
				   vt_nn__shape_str(x, buf, sizeof buf));
	shape[0] = x->shape[0];
	shape[1] = x->shape[1];
	shape[2] = x->shape[2] / 2;
	shape[3] = x->shape[3] / 2;
	y = vt_nn__result(g, VT_NN_OP_SUMPOOL2X, x->dtype, 4, shape, 1, &x);
	if (!y)
		return NULL;
	if (y->dtype == VT_F32)
		down_f32(y->data, x->data, shape[0] * shape[1], shape[2],
			 shape[3]);
	else
		down_f64(y->data, x->data, shape[0] * shape[1], shape[2],
			 shape[3]);
	return y;
}

VT_NN_BW(upsample2x)
{
	(void)y;
	(void)need;
	gx[0] = vt_nn_sumpool2x(g, gy);
}

VT_NN_BW(sumpool2x)
{
	(void)y;
	(void)need;
	gx[0] = vt_nn_upsample2x(g, gy);
}

/* ---- nearest upsampling x2 followed by a 3x3 convolution, fused ----
 *
 * With u = upsample2x(x) and a 3x3 kernel at padding 1, output row 2i+a
 * sees input rows {i-1, i, i} (a = 0) or {i, i, i+1} (a = 1): each of the
 * four output phases (a, b) is a 2x2 convolution of x with summed taps.
 * So conv(u, w) = interleave(conv(x, fold(w), padding 1)), where fold maps
 * w [O,C,3,3] to the phase kernels [4O,C,2,2] and the convolution's
 * (H+1)x(W+1) outputs hold the four phases, phase (a, b) in rows a..a+H-1
 * and columns b..b+W-1.  16/36 of the multiply-adds, for every derivative
 * as well.  fold/unfold and interleave/split are adjoint pairs.
 */

/* tap s of a 3-tap kernel feeds tap u of phase a's 2-tap kernel */
static const int fold_map[2][2][3] = {
	{ { 1, 0, 0 }, { 0, 1, 1 } },
	{ { 1, 1, 0 }, { 0, 0, 1 } },
};

/* w2 = M_a w M_b^T per phase (a, b), M the 2x3 matrices of fold_map; the
 * adjoint w = sum over phases of M_a^T w2 M_b */
#define FOLD(T, SUF) \
	/* w2 [4o,c,2,2] = fold(w [o,c,3,3]) */ \
	static void fold_##SUF(T *w2, const T *w, int64_t o, int64_t c) \
	{ \
		for (int64_t k = 0; k < o * c; k++) { \
			const T *s = w + k * 9; \
			T t[2][2][3]; \
			for (int a = 0; a < 2; a++) \
			for (int u = 0; u < 2; u++) \
			for (int r = 0; r < 3; r++) { \
				T v = 0; \
				for (int q = 0; q < 3; q++) \
					if (fold_map[a][u][q]) \
						v += s[q * 3 + r]; \
				t[a][u][r] = v; \
			} \
			for (int ab = 0; ab < 4; ab++) \
			for (int u = 0; u < 2; u++) \
			for (int v = 0; v < 2; v++) { \
				T z = 0; \
				for (int r = 0; r < 3; r++) \
					if (fold_map[ab & 1][v][r]) \
						z += t[ab >> 1][u][r]; \
				w2[((ab * o * c) + k) * 4 + u * 2 + v] = z; \
			} \
		} \
	} \
	/* w [o,c,3,3] = unfold(w2 [4o,c,2,2]), the adjoint */ \
	static void unfold_##SUF(T *w, const T *w2, int64_t o, int64_t c) \
	{ \
		for (int64_t k = 0; k < o * c; k++) { \
			T t[2][2][3]; \
			for (int a = 0; a < 2; a++) \
			for (int u = 0; u < 2; u++) \
			for (int r = 0; r < 3; r++) { \
				T z = 0; \
				for (int b = 0; b < 2; b++) \
					for (int v = 0; v < 2; v++) \
						if (fold_map[b][v][r]) \
							z += w2[(((a * 2 + b) * \
								  o * c) + k) * \
								4 + u * 2 + v]; \
				t[a][u][r] = z; \
			} \
			for (int q = 0; q < 3; q++) \
			for (int r = 0; r < 3; r++) { \
				T z = 0; \
				for (int a = 0; a < 2; a++) \
					for (int u = 0; u < 2; u++) \
						if (fold_map[a][u][q]) \
							z += t[a][u][r]; \
				w[k * 9 + q * 3 + r] = z; \
			} \
		} \
	}

FOLD(float, f32)
FOLD(double, f64)

static struct vt_nn_val *fold_op(struct vt_nn_graph *g, struct vt_nn_val *w,
				 bool unfold)
{
	enum vt_nn_op op = unfold ? VT_NN_OP_UPCONV_UNFOLD : VT_NN_OP_UPCONV_FOLD;
	struct vt_nn_val *y;
	int64_t shape[4], o, c;

	if (!w || g->status)
		return vt_nn__result(g, op, VT_F32, 0, NULL, 1, &w);
	o = unfold ? w->shape[0] / 4 : w->shape[0];
	c = w->shape[1];
	shape[0] = unfold ? o : 4 * o;
	shape[1] = c;
	shape[2] = shape[3] = unfold ? 3 : 2;
	y = vt_nn__result(g, op, w->dtype, 4, shape, 1, &w);
	if (!y)
		return NULL;
	if (y->dtype == VT_F32) {
		if (unfold)
			unfold_f32(y->data, w->data, o, c);
		else
			fold_f32(y->data, w->data, o, c);
	} else {
		if (unfold)
			unfold_f64(y->data, w->data, o, c);
		else
			fold_f64(y->data, w->data, o, c);
	}
	return y;
}

VT_NN_BW(upconv_fold)
{
	(void)y;
	(void)need;
	gx[0] = fold_op(g, gy, true);
}

VT_NN_BW(upconv_unfold)
{
	(void)y;
	(void)need;
	gx[0] = fold_op(g, gy, false);
}

#define PHASE(T, SUF) \
	/* y [n,o,2h,2w] (+)= z [n,4o,h+1,w+1] interleaved (split: back) */ \
	VT_NN_SIMD static void phase_##SUF(T *y, T *z, int64_t i0, int64_t i1, int64_t o, \
				int64_t h, int64_t w, bool split) \
	{ \
		int64_t zh = h + 1, zw = w + 1; \
		for (int64_t i = i0; i < i1; i++) \
		for (int ab = 0; ab < 4; ab++) \
		for (int64_t k = 0; k < o; k++) { \
			int a = ab >> 1, b = ab & 1; \
			T *zp = z + ((i * 4 + ab) * o + k) * zh * zw; \
			T *yp = y + (i * o + k) * 4 * h * w; \
			for (int64_t r = 0; r < h; r++) { \
				T *zr = zp + (r + a) * zw + b; \
				T *yr = yp + (2 * r + a) * 2 * w + b; \
				if (split) \
					for (int64_t s = 0; s < w; s++) \
						zr[s] = yr[2 * s]; \
				else \
					for (int64_t s = 0; s < w; s++) \
						yr[2 * s] += zr[s]; \
			} \
		} \
	}

PHASE(float, f32)
PHASE(double, f64)

/* phase_* on the pool, one task per sample */
struct phase_job {
	enum vt_dtype dt;
	void *y, *z;
	int64_t o, h, w;
	bool split;
};

static void phase_task(void *arg, int i)
{
	const struct phase_job *j = arg;

	if (j->dt == VT_F32)
		phase_f32(j->y, j->z, i, i + 1, j->o, j->h, j->w, j->split);
	else
		phase_f64(j->y, j->z, i, i + 1, j->o, j->h, j->w, j->split);
}

static void phase(enum vt_dtype dt, void *y, void *z, int64_t n, int64_t o,
		  int64_t h, int64_t w, bool split)
{
	struct phase_job j = { dt, y, z, o, h, w, split };

	vt_par_run((int)n, phase_task, &j);
}

/* y = interleave(z) + b (b may be NULL) */
static struct vt_nn_val *interleave(struct vt_nn_graph *g, struct vt_nn_val *z,
				    struct vt_nn_val *b)
{
	struct vt_nn_val *src[2] = { z, b }, *y;
	int64_t shape[4];

	if (!z || g->status)
		return vt_nn__result(g, VT_NN_OP_PHASE_INTERLEAVE, VT_F32, 0,
				     NULL, 1, src);
	shape[0] = z->shape[0];
	shape[1] = z->shape[1] / 4;
	shape[2] = 2 * (z->shape[2] - 1);
	shape[3] = 2 * (z->shape[3] - 1);
	y = vt_nn__result(g, VT_NN_OP_PHASE_INTERLEAVE, z->dtype, 4, shape,
			  b ? 2 : 1, src);
	if (!y)
		return NULL;
	fill_bias(y, b, shape[0], shape[1], shape[2] * shape[3]);
	phase(y->dtype, y->data, z->data, shape[0], shape[1], shape[2] / 2,
	      shape[3] / 2, false);
	return y;
}

static struct vt_nn_val *split(struct vt_nn_graph *g, struct vt_nn_val *y)
{
	struct vt_nn_val *z;
	int64_t shape[4];

	if (!y || g->status)
		return vt_nn__result(g, VT_NN_OP_PHASE_SPLIT, VT_F32, 0, NULL,
				     1, &y);
	shape[0] = y->shape[0];
	shape[1] = 4 * y->shape[1];
	shape[2] = y->shape[2] / 2 + 1;
	shape[3] = y->shape[3] / 2 + 1;
	z = vt_nn__result(g, VT_NN_OP_PHASE_SPLIT, y->dtype, 4, shape, 1, &y);
	if (!z)
		return NULL;
	memset(z->data, 0, z->numel * vt_dtype_size(z->dtype));
	phase(z->dtype, y->data, z->data, shape[0], y->shape[1],
	      y->shape[2] / 2, y->shape[3] / 2, true);
	return z;
}

VT_NN_BW(phase_interleave)
{
	if (need[0])
		gx[0] = split(g, gy);
	if (y->nsrc > 1 && need[1])
		gx[1] = vt_nn_channel_sum(g, gy);
}

VT_NN_BW(phase_split)
{
	(void)y;
	(void)need;
	gx[0] = interleave(g, gy, NULL);
}

struct vt_nn_val *vt_nn_upsample2x_conv2d(struct vt_nn_graph *g,
					  struct vt_nn_val *x,
					  struct vt_nn_val *w,
					  struct vt_nn_val *b, int stride,
					  int padding)
{
	struct vt_nn_val *z;

	if (!x || !w || g->status || x->rank != 4 || w->rank != 4 ||
	    w->shape[2] != 3 || w->shape[3] != 3 || stride != 1 ||
	    padding != 1 || x->shape[1] != w->shape[1] ||
	    x->dtype != w->dtype || (b && !bias_ok(g, b, w->shape[0],
						   w->dtype, "conv2d")))
		return vt_nn_conv2d(g, vt_nn_upsample2x(g, x), w, b, stride,
				    padding);
	z = conv2d(g, x, fold_op(g, w, false), NULL, 1, 1, 1, 1);
	return interleave(g, z, b);
}
