/* init.c - parameter initialisers (PyTorch's rules, vt's generator). */
#include <math.h>

#include "vt/nn_optim.h"

void vt_nn_init_const(struct vt_nn_val *p, double v)
{
	for (size_t i = 0; i < p->numel; i++)
		vt_dtype_store(p->dtype, p->data, i, v);
}

void vt_nn_init_uniform(struct vt_nn_val *p, double lo, double hi,
			struct vt_rng *rng)
{
	for (size_t i = 0; i < p->numel; i++)
		vt_dtype_store(p->dtype, p->data, i,
			       lo + (hi - lo) * vt_rng_uniform(rng));
}

void vt_nn_init_normal(struct vt_nn_val *p, double mean, double std,
		       struct vt_rng *rng)
{
	for (size_t i = 0; i < p->numel; i++)
		vt_dtype_store(p->dtype, p->data, i,
			       mean + std * vt_rng_normal(rng));
}

static int64_t receptive(const struct vt_nn_val *w)
{
	int64_t r = 1;

	for (int i = 2; i < w->rank; i++)
		r *= w->shape[i];
	return r;
}

int64_t vt_nn_fan_in(const struct vt_nn_val *w)
{
	return w->rank < 2 ? (w->rank ? w->shape[0] : 1)
			   : w->shape[1] * receptive(w);
}

int64_t vt_nn_fan_out(const struct vt_nn_val *w)
{
	return w->rank < 1 ? 1 : w->shape[0] * receptive(w);
}

void vt_nn_init_default(struct vt_nn_val *w, struct vt_nn_val *b,
			struct vt_rng *rng)
{
	int64_t fan = vt_nn_fan_in(w);
	/* kaiming_uniform(a = sqrt 5): gain sqrt(2 / (1 + 5)), bound
	 * gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in) */
	double bound = fan > 0 ? 1.0 / sqrt((double)fan) : 0;

	vt_nn_init_uniform(w, -bound, bound, rng);
	if (b)
		vt_nn_init_uniform(b, -bound, bound, rng);
}

void vt_nn_init_xavier_uniform(struct vt_nn_val *w, double gain,
			       struct vt_rng *rng)
{
	double s = (double)(vt_nn_fan_in(w) + vt_nn_fan_out(w));
	double a = s > 0 ? gain * sqrt(6.0 / s) : 0;

	vt_nn_init_uniform(w, -a, a, rng);
}

void vt_nn_init_xavier_normal(struct vt_nn_val *w, double gain,
			      struct vt_rng *rng)
{
	double s = (double)(vt_nn_fan_in(w) + vt_nn_fan_out(w));

	vt_nn_init_normal(w, 0, s > 0 ? gain * sqrt(2.0 / s) : 0, rng);
}
