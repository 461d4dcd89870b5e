/* op_norm.c - batch normalisation over [N,C] and dropout.
 *
 * Both are compositions of other ops, so every derivative (double backward
 * included) comes from theirs.  The running statistics are updated in place
 * as a side effect of the training-mode forward, as in PyTorch.
 */
#include <math.h>

#include "nn_impl.h"

static bool stat_ok(const struct vt_nn_val *s, const struct vt_nn_val *x)
{
	return !s || (s->rank == 1 && s->shape[0] == x->shape[1] &&
		      (s->dtype == VT_F32 || s->dtype == VT_F64));
}

static void update_running(struct vt_nn_val *run, const struct vt_nn_val *stat,
			   double momentum, double factor)
{
	for (size_t c = 0; c < run->numel; c++) {
		double r = vt_nn_get(run, c), s = vt_nn_get(stat, c) * factor;

		vt_dtype_store(run->dtype, run->data, c,
			       momentum * s + (1 - momentum) * r);
	}
}

struct vt_nn_val *vt_nn_batch_norm1d(struct vt_nn_graph *g,
				     struct vt_nn_val *x,
				     struct vt_nn_val *weight,
				     struct vt_nn_val *bias,
				     struct vt_nn_val *running_mean,
				     struct vt_nn_val *running_var,
				     bool train, double momentum, double eps)
{
	struct vt_nn_val *mean, *xc, *var, *y;
	char buf[96];
	int64_t n;

	if (!x || g->status)
		return vt_nn_add(g, x, x);
	if (!vt_nn__check_float(g, x, "batch_norm1d"))
		return NULL;
	if (x->rank != 2)
		return vt_nn__fail(g, VT_EINVAL,
				   "batch_norm1d: input %s, expected [N,C]",
				   vt_nn__shape_str(x, buf, sizeof buf));
	if (!stat_ok(weight, x) || !stat_ok(bias, x) ||
	    !stat_ok(running_mean, x) || !stat_ok(running_var, x))
		return vt_nn__fail(g, VT_EINVAL,
				   "batch_norm1d: parameters must be [%lld]",
				   (long long)x->shape[1]);
	n = x->shape[0];
	if (train) {
		if (n < 2)
			return vt_nn__fail(g, VT_EINVAL,
					   "batch_norm1d: training needs more "
					   "than 1 value per channel");
		mean = vt_nn_mean_dim(g, x, 0, true);
		xc = vt_nn_sub(g, x, mean);
		var = vt_nn_mean_dim(g, vt_nn_mul(g, xc, xc), 0, true);
		if (!var)
			return NULL;
		if (running_mean)
			update_running(running_mean, mean, momentum, 1.0);
		if (running_var)
			update_running(running_var, var, momentum,
				       (double)n / (double)(n - 1));
	} else {
		if (!running_mean || !running_var)
			return vt_nn__fail(g, VT_EINVAL,
					   "batch_norm1d: eval mode needs "
					   "running statistics");
		xc = vt_nn_sub(g, x, vt_nn_detach(g, running_mean));
		var = vt_nn_detach(g, running_var);
	}
	y = vt_nn_div(g, xc, vt_nn_sqrt(g, vt_nn_add_scalar(g, var, eps)));
	if (weight)
		y = vt_nn_mul(g, y, weight);
	if (bias)
		y = vt_nn_add(g, y, bias);
	return y;
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
