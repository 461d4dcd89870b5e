/* op_norm.c - batch normalisation over [N,C] and dropout.
 *
 * Batch norm is one fused op over [N, C, S] (S: the trailing dims, so 1d and
 * 2d alike): statistics accumulate in double, the first-order backward is a
 * fused kernel, and when the backward is recorded (create_graph) it is
 * written as ops instead, recomputing the batch statistics from x, so that
 * it differentiates again.  The running statistics are updated in place as
 * a side effect of the training-mode forward, as in PyTorch.  Dropout is a
 * multiplication by a drawn mask.
 */
#include <math.h>

#include "vt/parallel.h"

#include "nn_impl.h"

static bool stat_ok(const struct vt_nn_val *s, int64_t c)
{
	return !s || (s->rank == 1 && s->shape[0] == c &&
		      (s->dtype == VT_F32 || s->dtype == VT_F64));
}

/* x as [N, C, S]: S the product of the trailing dims */
static void bn_dims(const struct vt_nn_val *x, size_t *n, size_t *c,
		    size_t *s)
{
	*n = (size_t)x->shape[0];
	*c = (size_t)x->shape[1];
	*s = 1;
	for (int i = 2; i < x->rank; i++)
		*s *= (size_t)x->shape[i];
}

/* the op's sources: x, stats (F64 [2,C]: mean and 1/sqrt(var + eps) used),
 * then weight and bias when present (ip[0], ip[1]); ip[2] train */
static struct vt_nn_val *bn_w(const struct vt_nn_val *y)
{
	return y->ip[0] ? y->src[2] : NULL;
}

static struct vt_nn_val *bn_b(const struct vt_nn_val *y)
{
	return y->ip[1] ? y->src[y->ip[0] ? 3 : 2] : NULL;
}

/* Per-channel sums over N and S for the channels [c0, c1), walking x in
 * memory order (for [N,C] the channels are the inner index): mean, then the
 * biased variance.  Each channel's sums run in the same order whatever the
 * range, so a cut of the channels into blocks gives the same bits. */
#define BN_STATS(T, NAME) \
	static void NAME(const T *x, size_t n, size_t c, size_t s, \
			 size_t c0, size_t c1, double *mean, double *var) \
	{ \
		double m = (double)(n * s); \
		for (size_t ch = c0; ch < c1; ch++) \
			mean[ch] = var[ch] = 0; \
		for (size_t i = 0; i < n; i++) \
			for (size_t ch = c0; ch < c1; ch++) { \
				const T *p = x + (i * c + ch) * s; \
				double t = 0; \
				for (size_t k = 0; k < s; k++) \
					t += p[k]; \
				mean[ch] += t; \
			} \
		for (size_t ch = c0; ch < c1; ch++) \
			mean[ch] /= m; \
		for (size_t i = 0; i < n; i++) \
			for (size_t ch = c0; ch < c1; ch++) { \
				const T *p = x + (i * c + ch) * s; \
				double t = 0, mu = mean[ch]; \
				for (size_t k = 0; k < s; k++) \
					t += (p[k] - mu) * (p[k] - mu); \
				var[ch] += t; \
			} \
		for (size_t ch = c0; ch < c1; ch++) \
			var[ch] /= m; \
	}

BN_STATS(float, bn_stats_f32)
BN_STATS(double, bn_stats_f64)

/* y = x a + o per channel in [c0, c1), a = invstd w and o = b - mean a
 * (precomputed) */
#define BN_APPLY(T, NAME) \
	static void NAME(T *y, const T *x, size_t n, size_t c, size_t s, \
			 size_t c0, size_t c1, const T *a, const T *o) \
	{ \
		for (size_t i = 0; i < n; i++) \
			for (size_t ch = c0; ch < c1; ch++) { \
				const T *p = x + (i * c + ch) * s; \
				T *q = y + (i * c + ch) * s; \
				if (s == 1) { \
					q[0] = p[0] * a[ch] + o[ch]; \
					continue; \
				} \
				for (size_t k = 0; k < s; k++) \
					q[k] = p[k] * a[ch] + o[ch]; \
			} \
	}

BN_APPLY(float, bn_apply_f32)
BN_APPLY(double, bn_apply_f64)

/* Fused first-order backward: with xh = (x - mean) invstd and sums over
 * N and S per channel,  gb = sum gy,  gw = sum gy xh,
 *   train: gx = w invstd (gy - gb/M - xh gw/M);  eval: gx = w invstd gy */
#define BN_BACK(T, NAME) \
	static void NAME(T *gx, double *sg, double *sgx, const T *gy, \
			 const T *x, size_t n, size_t c, size_t s, \
			 size_t c0, size_t c1, const double *mean, \
			 const double *inv, const struct vt_nn_val *w, \
			 bool train, double *k) \
	{ \
		double m = (double)(n * s); \
		for (size_t ch = c0; ch < c1; ch++) \
			sg[ch] = sgx[ch] = 0; \
		for (size_t i = 0; i < n; i++) \
			for (size_t ch = c0; ch < c1; ch++) { \
				const T *pg = gy + (i * c + ch) * s; \
				const T *px = x + (i * c + ch) * s; \
				double a = 0, b = 0, mu = mean[ch]; \
				for (size_t j = 0; j < s; j++) { \
					a += pg[j]; \
					b += pg[j] * (px[j] - mu); \
				} \
				sg[ch] += a; \
				sgx[ch] += b; \
			} \
		for (size_t ch = c0; ch < c1; ch++) \
			sgx[ch] *= inv[ch]; \
		if (!gx) \
			return; \
		/* gx = k0 (gy - k1 - (x - mean) k2) */ \
		for (size_t ch = c0; ch < c1; ch++) { \
			double wa = w ? vt_nn_get(w, ch) : 1.0; \
			k[3 * ch] = wa * inv[ch]; \
			k[3 * ch + 1] = train ? sg[ch] / m : 0; \
			k[3 * ch + 2] = train ? sgx[ch] / m * inv[ch] : 0; \
		} \
		for (size_t i = 0; i < n; i++) \
			for (size_t ch = c0; ch < c1; ch++) { \
				const T *pg = gy + (i * c + ch) * s; \
				const T *px = x + (i * c + ch) * s; \
				T *q = gx + (i * c + ch) * s; \
				const double *kc = k + 3 * ch; \
				for (size_t j = 0; j < s; j++) \
					q[j] = (T)(kc[0] * (pg[j] - kc[1] - \
						(px[j] - mean[ch]) * kc[2])); \
			} \
	}

BN_BACK(float, bn_back_f32)
BN_BACK(double, bn_back_f64)

/* The three kernels on the worker pool, in blocks of channels cut by
 * shape alone: at least BN_PAR_ELEMS elements and 16 channels a block. */
#define BN_PAR_ELEMS 16384

enum bn_kind { BN_K_STATS, BN_K_APPLY, BN_K_BACK };

struct bn_job {
	enum bn_kind kind;
	enum vt_dtype dt;
	void *out;                       /* y or gx */
	const void *x, *gy, *a, *o;
	size_t n, c, s, step;
	double *mean, *var, *sg, *sgx, *k;
	const double *cmean, *cinv;
	const struct vt_nn_val *w;
	bool train;
};

static void bn_task(void *arg, int task)
{
	const struct bn_job *j = arg;
	size_t c0 = (size_t)task * j->step;
	size_t c1 = c0 + j->step < j->c ? c0 + j->step : j->c;
	bool f32 = j->dt == VT_F32;

	switch (j->kind) {
	case BN_K_STATS:
		if (f32)
			bn_stats_f32(j->x, j->n, j->c, j->s, c0, c1, j->mean,
				     j->var);
		else
			bn_stats_f64(j->x, j->n, j->c, j->s, c0, c1, j->mean,
				     j->var);
		break;
	case BN_K_APPLY:
		if (f32)
			bn_apply_f32(j->out, j->x, j->n, j->c, j->s, c0, c1,
				     j->a, j->o);
		else
			bn_apply_f64(j->out, j->x, j->n, j->c, j->s, c0, c1,
				     j->a, j->o);
		break;
	default:
		if (f32)
			bn_back_f32(j->out, j->sg, j->sgx, j->gy, j->x, j->n,
				    j->c, j->s, c0, c1, j->cmean, j->cinv,
				    j->w, j->train, j->k);
		else
			bn_back_f64(j->out, j->sg, j->sgx, j->gy, j->x, j->n,
				    j->c, j->s, c0, c1, j->cmean, j->cinv,
				    j->w, j->train, j->k);
		break;
	}
}

static void bn_run(struct bn_job *j)
{
	size_t total = j->n * j->c * j->s, blocks = 1;

	while (blocks < 64 && total / (2 * blocks) >= BN_PAR_ELEMS &&
	       j->c / (2 * blocks) >= 16)
		blocks *= 2;
	j->step = (j->c + blocks - 1) / blocks;
	blocks = j->step ? (j->c + j->step - 1) / j->step : 1;
	vt_par_run((int)blocks, bn_task, j);
}

static void update_running(struct vt_nn_val *run, const double *stat,
			   double momentum, double factor)
{
	for (size_t c = 0; c < run->numel; c++)
		vt_dtype_store(run->dtype, run->data, c,
			       momentum * stat[c] * factor +
			       (1 - momentum) * vt_nn_get(run, c));
}

struct vt_nn_val *vt_nn_batch_norm(struct vt_nn_graph *g, struct vt_nn_val *x,
				   struct vt_nn_val *weight,
				   struct vt_nn_val *bias,
				   struct vt_nn_val *running_mean,
				   struct vt_nn_val *running_var, bool train,
				   double momentum, double eps)
{
	struct vt_nn_val *src[4], *stats, *y;
	size_t n, c, s;
	double *mean, *inv;
	void *coef;
	int nsrc = 2;
	char buf[96];

	if (!x || g->status)
		return vt_nn__result(g, VT_NN_OP_BATCH_NORM, VT_F32, 0, NULL, 1,
				     &x);
	if (!vt_nn__check_float(g, x, "batch_norm"))
		return NULL;
	if (x->rank < 2)
		return vt_nn__fail(g, VT_EINVAL,
				   "batch_norm: input %s, expected [N,C,...]",
				   vt_nn__shape_str(x, buf, sizeof buf));
	bn_dims(x, &n, &c, &s);
	if (!stat_ok(weight, x->shape[1]) || !stat_ok(bias, x->shape[1]) ||
	    !stat_ok(running_mean, x->shape[1]) ||
	    !stat_ok(running_var, x->shape[1]) ||
	    (weight && weight->dtype != x->dtype) ||
	    (bias && bias->dtype != x->dtype))
		return vt_nn__fail(g, VT_EINVAL,
				   "batch_norm: parameters must be %s [%zu]",
				   vt_dtype_name(x->dtype), c);
	if (train && n * s < 2)
		return vt_nn__fail(g, VT_EINVAL,
				   "batch_norm: training needs more than 1 "
				   "value per channel");
	if (!train && (!running_mean || !running_var))
		return vt_nn__fail(g, VT_EINVAL,
				   "batch_norm: eval mode needs running "
				   "statistics");
	stats = vt_nn_new(g, VT_F64, 2, (int64_t[]){ 2, (int64_t)c });
	if (!stats)
		return NULL;
	mean = VT_NN_F64(stats);
	inv = mean + c;
	if (train) {
		struct bn_job j = { .kind = BN_K_STATS, .dt = x->dtype,
				    .x = x->data, .n = n, .c = c, .s = s,
				    .mean = mean, .var = inv };

		bn_run(&j);
		if (running_mean)
			update_running(running_mean, mean, momentum, 1.0);
		if (running_var)
			update_running(running_var, inv, momentum,
				       (double)(n * s) / (double)(n * s - 1));
	} else {
		for (size_t ch = 0; ch < c; ch++) {
			mean[ch] = vt_nn_get(running_mean, ch);
			inv[ch] = vt_nn_get(running_var, ch);
		}
	}
	for (size_t ch = 0; ch < c; ch++)
		inv[ch] = 1.0 / sqrt(inv[ch] + eps);
	src[0] = x;
	src[1] = stats;
	if (weight)
		src[nsrc++] = weight;
	if (bias)
		src[nsrc++] = bias;
	y = vt_nn__result(g, VT_NN_OP_BATCH_NORM, x->dtype, x->rank, x->shape,
			  nsrc, src);
	if (!y)
		return NULL;
	y->ip[0] = weight != NULL;
	y->ip[1] = bias != NULL;
	y->ip[2] = train;
	y->fp[0] = eps;
	coef = vt_nn__alloc(g, 2 * c * vt_dtype_size(x->dtype));
	if (!coef)
		return NULL;
	for (size_t ch = 0; ch < c; ch++) {
		double wa = weight ? vt_nn_get(weight, ch) : 1.0;
		double bb = bias ? vt_nn_get(bias, ch) : 0.0;
		double a = inv[ch] * wa;

		vt_dtype_store(x->dtype, coef, ch, a);
		vt_dtype_store(x->dtype, coef, c + ch, bb - mean[ch] * a);
	}
	{
		struct bn_job j = { .kind = BN_K_APPLY, .dt = x->dtype,
				    .out = y->data, .x = x->data, .a = coef,
				    .o = (char *)coef +
					 c * vt_dtype_size(x->dtype),
				    .n = n, .c = c, .s = s };

		bn_run(&j);
	}
	return y;
}

struct vt_nn_val *vt_nn_batch_norm1d(struct vt_nn_graph *g,
				     struct vt_nn_val *x,
				     struct vt_nn_val *weight,
				     struct vt_nn_val *bias,
				     struct vt_nn_val *running_mean,
				     struct vt_nn_val *running_var,
				     bool train, double momentum, double eps)
{
	char buf[96];

	if (x && !g->status && x->rank != 2)
		return vt_nn__fail(g, VT_EINVAL,
				   "batch_norm1d: input %s, expected [N,C]",
				   vt_nn__shape_str(x, buf, sizeof buf));
	return vt_nn_batch_norm(g, x, weight, bias, running_mean, running_var,
				train, momentum, eps);
}

/* [1, C, 1, ...] for a per-channel value of x's rank */
static void chan_shape(const struct vt_nn_val *x, int64_t *shape)
{
	for (int i = 0; i < x->rank; i++)
		shape[i] = i == 1 ? x->shape[1] : 1;
}

/* per-channel mean over N and the trailing dims, shaped [1,C,1..] */
static struct vt_nn_val *cmean(struct vt_nn_graph *g, struct vt_nn_val *v,
			       const int64_t *cs, double m)
{
	return vt_nn_scale(g, vt_nn_sum_to(g, v, v->rank, cs), 1.0 / m);
}

/* The backward as ops (recording: create_graph), differentiable again:
 * the batch statistics are recomputed from x as ops. */
static void bn_back_ops(struct vt_nn_graph *g, struct vt_nn_val *y,
			struct vt_nn_val *gy, const bool *need,
			struct vt_nn_val **gx)
{
	struct vt_nn_val *x = y->src[0], *w = bn_w(y), *xh, *inv, *gxh;
	struct vt_nn_val *wr = NULL, *st = y->src[1];
	int64_t cs[VT_NN_MAX_RANK], c = x->shape[1];
	size_t nn, cc, s;
	double m;
	int iw = y->ip[0] ? 2 : -1, ib = y->ip[1] ? (y->ip[0] ? 3 : 2) : -1;

	bn_dims(x, &nn, &cc, &s);
	m = (double)(nn * s);
	chan_shape(x, cs);
	if (y->ip[2]) {
		struct vt_nn_val *mean = cmean(g, x, cs, m);
		struct vt_nn_val *xc = vt_nn_sub(g, x, mean);

		inv = vt_nn_pow(g, vt_nn_add_scalar(g, cmean(g, vt_nn_mul(g, xc,
									  xc),
							     cs, m),
						    y->fp[0]),
				-0.5);
		xh = vt_nn_mul(g, xc, inv);
	} else {
		/* eval: constants from the running statistics */
		struct vt_nn_val *mean = vt_nn_new(g, x->dtype, x->rank, cs);

		inv = vt_nn_new(g, x->dtype, x->rank, cs);
		if (!mean || !inv)
			return;
		for (int64_t k = 0; k < c; k++) {
			vt_dtype_store(x->dtype, mean->data, (size_t)k,
				       VT_NN_F64(st)[k]);
			vt_dtype_store(x->dtype, inv->data, (size_t)k,
				       VT_NN_F64(st)[c + k]);
		}
		xh = vt_nn_mul(g, vt_nn_sub(g, x, mean), inv);
	}
	if (ib >= 0 && need[ib])
		gx[ib] = vt_nn_reshape(g, vt_nn_sum_to(g, gy, x->rank, cs), 1,
				       &c);
	if (iw >= 0 && need[iw])
		gx[iw] = vt_nn_reshape(g, vt_nn_sum_to(g, vt_nn_mul(g, gy, xh),
						       x->rank, cs),
				       1, &c);
	if (!need[0])
		return;
	if (w)
		wr = vt_nn_reshape(g, w, x->rank, cs);
	gxh = wr ? vt_nn_mul(g, gy, wr) : gy;
	if (y->ip[2])
		gxh = vt_nn_sub(g, vt_nn_sub(g, gxh, cmean(g, gxh, cs, m)),
				vt_nn_mul(g, xh, cmean(g, vt_nn_mul(g, gxh, xh),
						       cs, m)));
	gx[0] = vt_nn_mul(g, gxh, inv);
}

VT_NN_BW(batch_norm)
{
	struct vt_nn_val *x = y->src[0], *w = bn_w(y), *b = bn_b(y);
	struct vt_nn_val *vx = NULL;
	const double *mean = VT_NN_F64(y->src[1]);
	double *sg, *sgx, *k;
	size_t n, c, s;
	int iw = y->ip[0] ? 2 : -1, ib = y->ip[1] ? (y->ip[0] ? 3 : 2) : -1;

	if (g->record) {
		bn_back_ops(g, y, gy, need, gx);
		return;
	}
	bn_dims(x, &n, &c, &s);
	if (need[0])
		vx = vt_nn__result(g, VT_NN_OP_LEAF, x->dtype, x->rank,
				   x->shape, 0, NULL);
	sg = vt_nn__alloc(g, 5 * (c ? c : 1) * sizeof *sg);
	if (g->status)
		return;
	sgx = sg + c;
	k = sgx + c;
	{
		struct bn_job j = { .kind = BN_K_BACK, .dt = x->dtype,
				    .out = vx ? vx->data : NULL, .x = x->data,
				    .gy = gy->data, .n = n, .c = c, .s = s,
				    .sg = sg, .sgx = sgx, .k = k, .cmean = mean,
				    .cinv = mean + c, .w = w,
				    .train = y->ip[2] };

		bn_run(&j);
	}
	gx[0] = vx;
	/* weight and bias: into the parameter's gradient, or as values */
	for (int which = 0; which < 2; which++) {
		int at = which ? ib : iw;
		struct vt_nn_val *p = which ? b : w, *v;
		const double *sum = which ? sg : sgx;

		if (at < 0 || !need[at])
			continue;
		if (vt_nn__into_grad(g, p)) {
			for (size_t ch = 0; ch < c; ch++)
				vt_dtype_store(p->dtype, p->grad, ch,
					       vt_dtype_load(p->dtype, p->grad,
							     ch) +
					       (p->dtype == VT_F32
							? (double)(float)sum[ch]
							: sum[ch]));
			continue;
		}
		v = vt_nn_new(g, p->dtype, 1, p->shape);
		if (!v)
			return;
		for (size_t ch = 0; ch < c; ch++)
			vt_dtype_store(v->dtype, v->data, ch, sum[ch]);
		gx[at] = v;
	}
}

struct vt_nn_val *vt_nn_dropout(struct vt_nn_graph *g, struct vt_nn_val *x,
				double p, bool train, struct vt_rng *rng)
{
	struct vt_nn_val *mask;
	double keep;

	if (!x || g->status || !train || p == 0)
		return x;
	if (!(p >= 0 && p < 1))
		return vt_nn__fail(g, VT_EINVAL,
				   "dropout: probability %g outside [0, 1)", p);
	if (!vt_nn__check_float(g, x, "dropout"))
		return NULL;
	mask = vt_nn_new(g, x->dtype, x->rank, x->shape);
	if (!mask)
		return NULL;
	keep = 1.0 / (1.0 - p);
	for (size_t i = 0; i < x->numel; i++)
		vt_dtype_store(x->dtype, mask->data, i,
			       vt_rng_uniform(rng) < p ? 0.0 : keep);
	return vt_nn_mul(g, x, mask);
}
