/* op_norm2d.c - per-channel ops on [N,C,...] values, batch_norm2d and
 * dropout2d.
 *
 * Three channel ops (sum over all but the channel dimension, its adjoint the
 * broadcast, and x*a[c]+b[c]) are closed under differentiation, so anything
 * written with them is differentiable any number of times.
 *
 * batch_norm2d in training mode is one fused op (two passes over x in the
 * forward).  Its backward has two forms with the same value: without
 * create_graph (ordinary training) a fused kernel, two passes; with
 * create_graph (a gradient penalty through the critic) the textbook formula
 * written with recorded ops from x itself, so that it can be differentiated
 * again.  Evaluation mode is one channel affine op.
 */
#include <math.h>
#include <string.h>

#include "vt/parallel.h"

#include "nn_impl.h"

/* [N,C,rest]: n, channels and the plane (product of rest) */
static void chan_dims(const struct vt_nn_val *x, int64_t *n, int64_t *c,
		      int64_t *plane)
{
	*n = x->shape[0];
	*c = x->shape[1];
	*plane = 1;
	for (int i = 2; i < x->rank; i++)
		*plane *= x->shape[i];
}

static bool chan_input(struct vt_nn_graph *g, const struct vt_nn_val *x,
		       const char *op)
{
	char buf[96];

	if (!vt_nn__check_float(g, x, op))
		return false;
	if (x->rank < 2) {
		vt_nn__fail(g, VT_EINVAL, "%s: input %s, expected [N,C,...]",
			    op, vt_nn__shape_str(x, buf, sizeof buf));
		return false;
	}
	return true;
}

static bool chan_vec(struct vt_nn_graph *g, const struct vt_nn_val *v,
		     int64_t c, enum vt_dtype dt, const char *op)
{
	char buf[96];

	if (!v || (v->rank == 1 && v->shape[0] == c && v->dtype == dt))
		return true;
	vt_nn__fail(g, VT_EINVAL, "%s: %s %s, expected %s [%lld]", op,
		    vt_dtype_name(v->dtype),
		    vt_nn__shape_str(v, buf, sizeof buf), vt_dtype_name(dt),
		    (long long)c);
	return false;
}

/* ---- sums over one plane, eight partial sums in double (no chain of
 * dependent additions; vectorisable) ---- */

#define PLANE_SUMS(T, SUF) \
	/* sum of p */ \
	VT_NN_SIMD static double plain_sum_##SUF(const T *p, int64_t n) \
	{ \
		double a[8] = { 0 }; \
		int64_t j = 0; \
		for (; j + 8 <= n; j += 8) \
			for (int l = 0; l < 8; l++) \
				a[l] += (double)p[j + l]; \
		for (; j < n; j++) \
			a[0] += (double)p[j]; \
		return ((a[0] + a[1]) + (a[2] + a[3])) + \
		       ((a[4] + a[5]) + (a[6] + a[7])); \
	} \
	/* sum of (p - mu)^2 */ \
	VT_NN_SIMD static double sq_dev_##SUF(const T *p, int64_t n, \
					      double mu) \
	{ \
		double a[8] = { 0 }; \
		int64_t j = 0; \
		for (; j + 8 <= n; j += 8) \
			for (int l = 0; l < 8; l++) { \
				double d = (double)p[j + l] - mu; \
				a[l] += d * d; \
			} \
		for (; j < n; j++) { \
			double d = (double)p[j] - mu; \
			a[0] += d * d; \
		} \
		return ((a[0] + a[1]) + (a[2] + a[3])) + \
		       ((a[4] + a[5]) + (a[6] + a[7])); \
	} \
	/* *sg += sum q, *sgx += sum q (p - mu) */ \
	VT_NN_SIMD static void grad_sums_##SUF(const T *q, const T *p, \
					       int64_t n, double mu, \
					       double *sg, double *sgx) \
	{ \
		double a[8] = { 0 }, b[8] = { 0 }; \
		int64_t j = 0; \
		for (; j + 8 <= n; j += 8) \
			for (int l = 0; l < 8; l++) { \
				a[l] += (double)q[j + l]; \
				b[l] += (double)q[j + l] * \
					((double)p[j + l] - mu); \
			} \
		for (; j < n; j++) { \
			a[0] += (double)q[j]; \
			b[0] += (double)q[j] * ((double)p[j] - mu); \
		} \
		*sg += ((a[0] + a[1]) + (a[2] + a[3])) + \
		       ((a[4] + a[5]) + (a[6] + a[7])); \
		*sgx += ((b[0] + b[1]) + (b[2] + b[3])) + \
			((b[4] + b[5]) + (b[6] + b[7])); \
	}

PLANE_SUMS(float, f32)
PLANE_SUMS(double, f64)

/* sum of x[o..o+n), or of (x - mu)^2 when sq */
static double dev_sum(const struct vt_nn_val *x, size_t o, int64_t n,
		      double mu, bool sq)
{
	if (x->dtype == VT_F32)
		return sq ? sq_dev_f32(VT_NN_F32(x) + o, n, mu)
			  : plain_sum_f32(VT_NN_F32(x) + o, n);
	return sq ? sq_dev_f64(VT_NN_F64(x) + o, n, mu)
		  : plain_sum_f64(VT_NN_F64(x) + o, n);
}

/* ---- channel sum and broadcast ---- */

struct vt_nn_val *vt_nn_channel_sum(struct vt_nn_graph *g,
				    struct vt_nn_val *x)
{
	struct vt_nn_val *y;
	int64_t n, c, plane;

	if (!x || g->status)
		return vt_nn__result(g, VT_NN_OP_CHANNEL_SUM, VT_F32, 0, NULL,
				     1, &x);
	if (!chan_input(g, x, "channel_sum"))
		return NULL;
	chan_dims(x, &n, &c, &plane);
	y = vt_nn__result(g, VT_NN_OP_CHANNEL_SUM, x->dtype, 1, &c, 1, &x);
	if (!y)
		return NULL;
	for (int64_t k = 0; k < c; k++) {
		double t = 0;

		for (int64_t i = 0; i < n; i++)
			t += dev_sum(x, (size_t)((i * c + k) * plane), plane, 0,
				     false);
		vt_dtype_store(y->dtype, y->data, (size_t)k, t);
	}
	return y;
}

struct vt_nn_val *vt_nn_channel_broadcast(struct vt_nn_graph *g,
					  struct vt_nn_val *v, int rank,
					  const int64_t *shape)
{
	struct vt_nn_val *y;
	int64_t n, c, plane;
	char buf[96];

	if (!v || g->status)
		return vt_nn__result(g, VT_NN_OP_CHANNEL_BROADCAST, VT_F32, 0,
				     NULL, 1, &v);
	if (!vt_nn__check_float(g, v, "channel_broadcast"))
		return NULL;
	if (rank < 2 || rank > VT_NN_MAX_RANK || v->rank != 1 ||
	    v->shape[0] != shape[1])
		return vt_nn__fail(g, VT_EINVAL,
				   "channel_broadcast: %s does not fit rank %d",
				   vt_nn__shape_str(v, buf, sizeof buf), rank);
	y = vt_nn__result(g, VT_NN_OP_CHANNEL_BROADCAST, v->dtype, rank, shape,
			  1, &v);
	if (!y)
		return NULL;
	chan_dims(y, &n, &c, &plane);
	for (int64_t i = 0; i < n; i++)
		for (int64_t k = 0; k < c; k++) {
			size_t o = (size_t)((i * c + k) * plane);

			if (y->dtype == VT_F32) {
				float a = VT_NN_F32(v)[k], *d = VT_NN_F32(y) + o;

				for (int64_t j = 0; j < plane; j++)
					d[j] = a;
			} else {
				double a = VT_NN_F64(v)[k];
				double *d = VT_NN_F64(y) + o;

				for (int64_t j = 0; j < plane; j++)
					d[j] = a;
			}
		}
	return y;
}

VT_NN_BW(channel_sum)
{
	(void)need;
	gx[0] = vt_nn_channel_broadcast(g, gy, y->src[0]->rank,
					y->src[0]->shape);
}

VT_NN_BW(channel_broadcast)
{
	(void)y;
	(void)need;
	gx[0] = vt_nn_channel_sum(g, gy);
}

/* ---- channel affine: x * a[c] + b[c] ---- */

/* ip[0], ip[1]: source index of a and b, or -1 */
struct vt_nn_val *vt_nn_channel_affine(struct vt_nn_graph *g,
				       struct vt_nn_val *x,
				       struct vt_nn_val *a,
				       struct vt_nn_val *b)
{
	struct vt_nn_val *src[3] = { x, NULL, NULL }, *y;
	int nsrc = 1, ia = -1, ib = -1;
	int64_t n, c, plane;

	if (a)
		src[ia = nsrc++] = a;
	if (b)
		src[ib = nsrc++] = b;
	if (!x || g->status)
		return vt_nn__result(g, VT_NN_OP_CHANNEL_AFFINE, VT_F32, 0,
				     NULL, nsrc, src);
	if (!a && !b)
		return x;
	if (!chan_input(g, x, "channel_affine") ||
	    !chan_vec(g, a, x->shape[1], x->dtype, "channel_affine") ||
	    !chan_vec(g, b, x->shape[1], x->dtype, "channel_affine"))
		return NULL;
	y = vt_nn__result(g, VT_NN_OP_CHANNEL_AFFINE, x->dtype, x->rank,
			  x->shape, nsrc, src);
	if (!y)
		return NULL;
	y->ip[0] = ia;
	y->ip[1] = ib;
	chan_dims(x, &n, &c, &plane);
	for (int64_t i = 0; i < n; i++)
		for (int64_t k = 0; k < c; k++) {
			size_t o = (size_t)((i * c + k) * plane);

			if (y->dtype == VT_F32) {
				float m = a ? VT_NN_F32(a)[k] : 1.0f;
				float s = b ? VT_NN_F32(b)[k] : 0.0f;
				const float *p = VT_NN_F32(x) + o;
				float *d = VT_NN_F32(y) + o;

				if (!a)
					for (int64_t j = 0; j < plane; j++)
						d[j] = p[j] + s;
				else if (!b)
					for (int64_t j = 0; j < plane; j++)
						d[j] = p[j] * m;
				else
					for (int64_t j = 0; j < plane; j++)
						d[j] = p[j] * m + s;
			} else {
				double m = a ? VT_NN_F64(a)[k] : 1.0;
				double s = b ? VT_NN_F64(b)[k] : 0.0;
				const double *p = VT_NN_F64(x) + o;
				double *d = VT_NN_F64(y) + o;

				if (!a)
					for (int64_t j = 0; j < plane; j++)
						d[j] = p[j] + s;
				else if (!b)
					for (int64_t j = 0; j < plane; j++)
						d[j] = p[j] * m;
				else
					for (int64_t j = 0; j < plane; j++)
						d[j] = p[j] * m + s;
			}
		}
	return y;
}

VT_NN_BW(channel_affine)
{
	int ia = (int)y->ip[0], ib = (int)y->ip[1];
	struct vt_nn_val *a = ia >= 0 ? y->src[ia] : NULL;

	if (need[0])
		gx[0] = a ? vt_nn_channel_affine(g, gy, a, NULL) : gy;
	if (ia >= 0 && need[ia])
		gx[ia] = vt_nn_channel_sum(g, vt_nn_mul(g, gy, y->src[0]));
	if (ib >= 0 && need[ib])
		gx[ib] = vt_nn_channel_sum(g, gy);
}

/* ---- batch_norm2d ---- */

static void update_running(struct vt_nn_val *run, const double *stat,
			   double momentum, double factor)
{
	for (size_t c = 0; c < run->numel; c++) {
		double r = vt_nn_get(run, c);

		vt_dtype_store(run->dtype, run->data, c,
			       momentum * stat[c] * factor +
				       (1 - momentum) * r);
	}
}

/* batch_norm2d's per-channel work, one task per channel on the pool (each
 * channel's sums in their order: the same bits with any thread count) */
struct bn2d_job {
	struct vt_nn_val *x, *y, *w, *b, *gy, *dx, *dw, *db;
	double *mean, *inv, *var, eps;
	const double *st;
	int64_t n, c, plane;
};

VT_NN_SIMD static void bn2d_train_chan(void *arg, int kk)
{
	const struct bn2d_job *j = arg;
	struct vt_nn_val *x = j->x, *y = j->y, *w = j->w, *b = j->b;
	double *mean = j->mean, *inv = j->inv, *var = j->var;
	double m = (double)(j->n * j->plane), s = 0, q = 0, mu, sc, sh;
	int64_t n = j->n, c = j->c, plane = j->plane, k = kk;

	for (int64_t i = 0; i < n; i++)
		s += dev_sum(x, (size_t)((i * c + k) * plane), plane, 0, false);
	mu = s / m;
	for (int64_t i = 0; i < n; i++)
		q += dev_sum(x, (size_t)((i * c + k) * plane), plane, mu, true);
	mean[k] = mu;
	var[k] = q / m;
	inv[k] = 1 / sqrt(var[k] + j->eps);
	sc = inv[k] * (w ? vt_nn_get(w, (size_t)k) : 1.0);
	sh = b ? vt_nn_get(b, (size_t)k) : 0.0;
	for (int64_t i = 0; i < n; i++) {
		size_t o = (size_t)((i * c + k) * plane);

		if (x->dtype == VT_F32) {
			const float *p = VT_NN_F32(x) + o;
			float *d = VT_NN_F32(y) + o;
			float fm = (float)mu, fs = (float)sc, fh = (float)sh;

			for (int64_t t = 0; t < plane; t++)
				d[t] = (p[t] - fm) * fs + fh;
		} else {
			const double *p = VT_NN_F64(x) + o;
			double *d = VT_NN_F64(y) + o;

			for (int64_t t = 0; t < plane; t++)
				d[t] = (p[t] - mu) * sc + sh;
		}
	}
}

/* the train-mode op: src x, stats (F64 [3,C]: mean, invstd, biased var),
 * then weight and bias when given (ip[0], ip[1]: their index or -1);
 * fp[0] = eps */
VT_NN_SIMD static struct vt_nn_val *bn2d_train(struct vt_nn_graph *g,
				    struct vt_nn_val *x, struct vt_nn_val *w,
				    struct vt_nn_val *b, double eps)
{
	struct vt_nn_val *src[4] = { x, NULL, NULL, NULL }, *y, *st;
	int nsrc = 2, iw = -1, ib = -1;
	int64_t n, c, plane, sshape[2];
	double *mean, *inv, *var;

	chan_dims(x, &n, &c, &plane);
	sshape[0] = 3;
	sshape[1] = c;
	st = vt_nn_new(g, VT_F64, 2, sshape);
	if (!st)
		return NULL;
	src[1] = st;
	if (w)
		src[iw = nsrc++] = w;
	if (b)
		src[ib = nsrc++] = b;
	y = vt_nn__result(g, VT_NN_OP_BATCH_NORM2D, x->dtype, x->rank,
			  x->shape, nsrc, src);
	if (!y)
		return NULL;
	y->ip[0] = iw;
	y->ip[1] = ib;
	y->fp[0] = eps;
	mean = st->data;
	inv = mean + c;
	var = inv + c;
	{
		struct bn2d_job j = { .x = x, .y = y, .w = w, .b = b,
				      .mean = mean, .inv = inv, .var = var,
				      .eps = eps, .n = n, .c = c,
				      .plane = plane };

		vt_par_run((int)c, bn2d_train_chan, &j);
	}
	return y;
}

/* the backward as recorded ops, from x (differentiable again) */
static void bn2d_bw_graph(struct vt_nn_graph *g, struct vt_nn_val *y,
			  struct vt_nn_val *gy, const bool *need,
			  struct vt_nn_val **gx)
{
	struct vt_nn_val *x = y->src[0];
	int iw = (int)y->ip[0], ib = (int)y->ip[1];
	struct vt_nn_val *w = iw >= 0 ? y->src[iw] : NULL;
	struct vt_nn_val *mu, *xc, *var, *r, *xhat, *gh, *s1, *s2, *t;
	int64_t n, c, plane;
	double im;

	chan_dims(x, &n, &c, &plane);
	im = 1.0 / (double)(n * plane);
	mu = vt_nn_scale(g, vt_nn_channel_sum(g, x), im);
	xc = vt_nn_channel_affine(g, x, NULL, vt_nn_neg(g, mu));
	var = vt_nn_scale(g, vt_nn_channel_sum(g, vt_nn_mul(g, xc, xc)), im);
	r = vt_nn_pow(g, vt_nn_add_scalar(g, var, y->fp[0]), -0.5);
	xhat = vt_nn_channel_affine(g, xc, r, NULL);
	if (need[0]) {
		gh = w ? vt_nn_channel_affine(g, gy, w, NULL) : gy;
		s1 = vt_nn_scale(g, vt_nn_channel_sum(g, gh), -im);
		s2 = vt_nn_scale(g, vt_nn_channel_sum(g, vt_nn_mul(g, gh, xhat)),
				 -im);
		t = vt_nn_add(g, gh, vt_nn_channel_affine(g, xhat, s2, s1));
		gx[0] = vt_nn_channel_affine(g, t, r, NULL);
	}
	if (iw >= 0 && need[iw])
		gx[iw] = vt_nn_channel_sum(g, vt_nn_mul(g, gy, xhat));
	if (ib >= 0 && need[ib])
		gx[ib] = vt_nn_channel_sum(g, gy);
}

VT_NN_SIMD static void bn2d_bw_chan(void *arg, int kk)
{
	const struct bn2d_job *j = arg;
	struct vt_nn_val *x = j->x, *w = j->w, *gy = j->gy, *dx = j->dx;
	int64_t n = j->n, c = j->c, plane = j->plane, k = kk;
	double m = (double)(n * plane), mu = j->st[k], inv = j->st[c + k];
	double sg = 0, sgx = 0, wk = w ? vt_nn_get(w, (size_t)k) : 1.0;
	double a, bb, cc;

	for (int64_t i = 0; i < n; i++) {
		size_t o = (size_t)((i * c + k) * plane);

		if (x->dtype == VT_F32)
			grad_sums_f32(VT_NN_F32(gy) + o, VT_NN_F32(x) + o, plane,
				      mu, &sg, &sgx);
		else
			grad_sums_f64(VT_NN_F64(gy) + o, VT_NN_F64(x) + o, plane,
				      mu, &sg, &sgx);
	}
	/* sgx * inv = sum gy * xhat */
	if (j->dw)
		vt_dtype_store(j->dw->dtype, j->dw->data, (size_t)k, sgx * inv);
	if (j->db)
		vt_dtype_store(j->db->dtype, j->db->data, (size_t)k, sg);
	if (!dx)
		return;
	/* dx = w inv (gy - sg/m - xhat sgx inv/m) = a gy + bb (x - mu) + cc */
	a = wk * inv;
	bb = -wk * inv * inv * inv * sgx / m;
	cc = -a * sg / m;
	for (int64_t i = 0; i < n; i++) {
		size_t o = (size_t)((i * c + k) * plane);

		if (x->dtype == VT_F32) {
			const float *p = VT_NN_F32(x) + o;
			const float *q = VT_NN_F32(gy) + o;
			float *d = VT_NN_F32(dx) + o;

			for (int64_t t = 0; t < plane; t++)
				d[t] = (float)(a * q[t] + bb * (p[t] - mu) + cc);
		} else {
			const double *p = VT_NN_F64(x) + o;
			const double *q = VT_NN_F64(gy) + o;
			double *d = VT_NN_F64(dx) + o;

			for (int64_t t = 0; t < plane; t++)
				d[t] = a * q[t] + bb * (p[t] - mu) + cc;
		}
	}
}

/* the backward fused: values only (create_graph off) */
VT_NN_SIMD static void bn2d_bw_fused(struct vt_nn_graph *g, struct vt_nn_val *y,
			  struct vt_nn_val *gy, const bool *need,
			  struct vt_nn_val **gx)
{
	struct vt_nn_val *x = y->src[0], *st = y->src[1];
	int iw = (int)y->ip[0], ib = (int)y->ip[1];
	struct vt_nn_val *w = iw >= 0 ? y->src[iw] : NULL, *dx = NULL;
	struct vt_nn_val *dw = NULL, *db = NULL;
	const double *mean = st->data;
	int64_t n, c, plane;

	chan_dims(x, &n, &c, &plane);
	if (need[0])
		dx = vt_nn_new(g, x->dtype, x->rank, x->shape);
	if (iw >= 0 && need[iw])
		dw = vt_nn_new(g, x->dtype, 1, &c);
	if (ib >= 0 && need[ib])
		db = vt_nn_new(g, x->dtype, 1, &c);
	if (g->status)
		return;
	{
		struct bn2d_job j = { .x = x, .w = w, .gy = gy, .dx = dx,
				      .dw = dw, .db = db, .st = mean, .n = n,
				      .c = c, .plane = plane };

		vt_par_run((int)c, bn2d_bw_chan, &j);
	}
	gx[0] = dx;
	if (dw)
		gx[iw] = dw;
	if (db)
		gx[ib] = db;
}

VT_NN_BW(batch_norm2d)
{
	if (g->record)
		bn2d_bw_graph(g, y, gy, need, gx);
	else
		bn2d_bw_fused(g, y, gy, need, gx);
}

struct vt_nn_val *vt_nn_batch_norm2d(struct vt_nn_graph *g,
				     struct vt_nn_val *x,
				     struct vt_nn_val *weight,
				     struct vt_nn_val *bias,
				     struct vt_nn_val *running_mean,
				     struct vt_nn_val *running_var,
				     bool train, double momentum, double eps)
{
	struct vt_nn_val *y, *st, *a, *s;
	int64_t n, c, plane;
	char buf[96];

	if (!x || g->status)
		return vt_nn_add(g, x, x);
	if (!vt_nn__check_float(g, x, "batch_norm2d"))
		return NULL;
	if (x->rank < 2)
		return vt_nn__fail(g, VT_EINVAL,
				   "batch_norm2d: input %s, expected [N,C,H,W]",
				   vt_nn__shape_str(x, buf, sizeof buf));
	chan_dims(x, &n, &c, &plane);
	if (!chan_vec(g, weight, c, x->dtype, "batch_norm2d") ||
	    !chan_vec(g, bias, c, x->dtype, "batch_norm2d"))
		return NULL;
	if ((running_mean && !(running_mean->rank == 1 &&
			       running_mean->shape[0] == c)) ||
	    (running_var && !(running_var->rank == 1 &&
			      running_var->shape[0] == c)))
		return vt_nn__fail(g, VT_EINVAL,
				   "batch_norm2d: running statistics must be "
				   "[%lld]", (long long)c);
	if (!(eps > 0))
		return vt_nn__fail(g, VT_EINVAL, "batch_norm2d: eps %g", eps);
	if (train) {
		if (n * plane < 2)
			return vt_nn__fail(g, VT_EINVAL,
					   "batch_norm2d: training needs more "
					   "than 1 value per channel");
		y = bn2d_train(g, x, weight, bias, eps);
		if (!y)
			return NULL;
		st = y->src[1];
		if (running_mean)
			update_running(running_mean, st->data, momentum, 1.0);
		if (running_var)
			update_running(running_var, VT_NN_F64(st) + 2 * c,
				       momentum,
				       (double)(n * plane) /
					       (double)(n * plane - 1));
		return y;
	}
	if (!running_mean || !running_var)
		return vt_nn__fail(g, VT_EINVAL,
				   "batch_norm2d: eval mode needs running "
				   "statistics");
	if (running_mean->dtype != x->dtype || running_var->dtype != x->dtype)
		return vt_nn__fail(g, VT_EINVAL,
				   "batch_norm2d: running statistics %s, "
				   "input %s", vt_dtype_name(running_var->dtype),
				   vt_dtype_name(x->dtype));
	/* y = x a + (b - mean a),  a = w / sqrt(var + eps) */
	a = vt_nn_pow(g, vt_nn_add_scalar(g, vt_nn_detach(g, running_var),
					  eps), -0.5);
	if (weight)
		a = vt_nn_mul(g, a, weight);
	s = vt_nn_neg(g, vt_nn_mul(g, vt_nn_detach(g, running_mean), a));
	if (bias)
		s = vt_nn_add(g, s, bias);
	return vt_nn_channel_affine(g, x, a, s);
}

/* ---- dropout2d ---- */

struct vt_nn_val *vt_nn_dropout2d_mask(struct vt_nn_graph *g,
				       struct vt_nn_val *x,
				       const struct vt_nn_val *keep, double p)
{
	struct vt_nn_val *mask;
	int64_t shape[VT_NN_MAX_RANK];
	char s1[96], s2[96];
	double scale;

	if (!x || !keep || g->status)
		return vt_nn_add(g, x, x);
	if (!chan_input(g, x, "dropout2d"))
		return NULL;
	if (!(p >= 0 && p < 1))
		return vt_nn__fail(g, VT_EINVAL,
				   "dropout2d: probability %g outside [0, 1)",
				   p);
	if (keep->rank != 2 || keep->shape[0] != x->shape[0] ||
	    keep->shape[1] != x->shape[1])
		return vt_nn__fail(g, VT_EINVAL,
				   "dropout2d: mask %s does not fit input %s",
				   vt_nn__shape_str(keep, s1, sizeof s1),
				   vt_nn__shape_str(x, s2, sizeof s2));
	shape[0] = x->shape[0];
	shape[1] = x->shape[1];
	for (int i = 2; i < x->rank; i++)
		shape[i] = 1;
	mask = vt_nn_new(g, x->dtype, x->rank, shape);
	if (!mask)
		return NULL;
	/* the scale rounded to the dtype first, as PyTorch does */
	scale = x->dtype == VT_F32 ? (double)(float)(1.0 / (1.0 - p))
				   : 1.0 / (1.0 - p);
	for (size_t i = 0; i < mask->numel; i++)
		vt_dtype_store(x->dtype, mask->data, i,
			       vt_nn_get(keep, i) != 0 ? scale : 0.0);
	return vt_nn_mul(g, x, mask);
}

struct vt_nn_val *vt_nn_dropout2d(struct vt_nn_graph *g, struct vt_nn_val *x,
				  double p, bool train, struct vt_rng *rng)
{
	struct vt_nn_val *keep;

	if (!x || g->status || !train || p == 0)
		return x;
	if (!chan_input(g, x, "dropout2d"))
		return NULL;
	if (!(p >= 0 && p < 1))
		return vt_nn__fail(g, VT_EINVAL,
				   "dropout2d: probability %g outside [0, 1)",
				   p);
	keep = vt_nn_new(g, x->dtype, 2, x->shape);
	if (!keep)
		return NULL;
	for (size_t i = 0; i < keep->numel; i++)
		vt_dtype_store(x->dtype, keep->data, i,
			       vt_rng_uniform(rng) < p ? 0.0 : 1.0);
	return vt_nn_dropout2d_mask(g, x, keep, p);
}
