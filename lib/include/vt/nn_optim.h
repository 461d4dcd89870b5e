/* vt/nn_optim.h - optimisers, clipping, learning-rate schedules and
 * parameter initialisers for lib/nn parameters (vt_nn_param_new).
 *
 * The optimisers follow torch.optim (1.13, single-tensor path) operation by
 * operation: hyper-parameters are rounded to the parameter's dtype the way
 * PyTorch passes Python scalars to float kernels, bias corrections are
 * computed in double, and each float operation rounds where PyTorch's does,
 * so float32 results are the same bits as PyTorch's.
 */
#ifndef VT_NN_OPTIM_H
#define VT_NN_OPTIM_H

#include <stdint.h>

#include "vt/err.h"
#include "vt/nn.h"
#include "vt/rng.h"

enum vt_nn_optim_kind {
	VT_NN_ADAM,      /* lr, beta1, beta2, eps, weight_decay (L2) */
	VT_NN_RMSPROP,   /* lr, alpha, eps, weight_decay */
	VT_NN_SGD,       /* lr, momentum, weight_decay */
	VT_NN_OPTIM_COUNT
};

/* "adam", "rmsprop", "sgd"; NULL out of range */
const char *vt_nn_optim_name(enum vt_nn_optim_kind k);

struct vt_nn_optim_cfg {
	enum vt_nn_optim_kind kind;
	double lr;
	double beta1, beta2;    /* Adam (torch: 0.9, 0.999) */
	double alpha;           /* RMSprop (torch: 0.99) */
	double momentum;        /* SGD */
	double eps;             /* Adam, RMSprop (torch: 1e-8) */
	double weight_decay;
};

/* torch's defaults for kind, with lr */
struct vt_nn_optim_cfg vt_nn_optim_defaults(enum vt_nn_optim_kind k,
					    double lr);

struct vt_nn_optim {
	struct vt_nn_optim_cfg cfg;
	int n;
	struct vt_nn_val **params;  /* borrowed */
	void **state1;              /* exp_avg / square_avg / momentum_buffer */
	void **state2;              /* exp_avg_sq (Adam) */
	int64_t step;
	int64_t *first_task;        /* [n + 1]: the update's tasks per tensor */
	unsigned char *task_bad;    /* [tasks]: vt_nn_optim_nonfinite's marks */
};

int vt_nn_optim_init(struct vt_nn_optim *o, const struct vt_nn_optim_cfg *cfg,
		     int n, struct vt_nn_val **params, struct vt_err *err);
void vt_nn_optim_release(struct vt_nn_optim *o);
/* One step with the parameters' .grad at the current cfg.lr. */
void vt_nn_optim_step(struct vt_nn_optim *o);
void vt_nn_optim_zero_grad(struct vt_nn_optim *o);
/* vt_nn_optim_step then vt_nn_optim_zero_grad, in one pass over memory */
void vt_nn_optim_step_zero(struct vt_nn_optim *o);
/* The index (in o->params) of the first parameter whose gradient holds an
 * infinity or a NaN, or -1 (vt_nn_grad_finite over all, on the pool). */
int vt_nn_optim_nonfinite(struct vt_nn_optim *o);

/* Whether every element of p's gradient is finite (no inf, no nan). */
bool vt_nn_grad_finite(const struct vt_nn_val *p);
/* torch.nn.utils.clip_grad_norm_ (L2): scale every gradient by
 * max_norm / (total + 1e-6) when that is below 1; returns the total norm. */
double vt_nn_clip_grad_norm(int n, struct vt_nn_val **params, double max_norm);
/* clamp every gradient element to [-v, v] (clip_grad_value_) */
void vt_nn_clip_grad_value(int n, struct vt_nn_val **params, double v);
/* clamp every parameter element to [lo, hi] (WGAN weight clipping) */
void vt_nn_clip_weights(int n, struct vt_nn_val **params, double lo,
			double hi);

/* Learning-rate schedules: the rate at step (0-based) of total steps. */
enum vt_nn_lr_kind {
	VT_NN_LR_CONSTANT,
	VT_NN_LR_LINEAR,   /* constant until start, then linearly to 0 at total
			      (the collection's LambdaLR decay) */
	VT_NN_LR_COSINE,   /* base * (1 + cos(pi step / total)) / 2 */
	VT_NN_LR_STEP,     /* base * gamma ^ floor(step / every) */
	VT_NN_LR_COUNT
};

const char *vt_nn_lr_name(enum vt_nn_lr_kind k);

struct vt_nn_lr {
	enum vt_nn_lr_kind kind;
	double base;
	int64_t total, start, every;
	double gamma;
};

double vt_nn_lr_at(const struct vt_nn_lr *s, int64_t step);

/* Initialisers (the rng draws in C order). */
void vt_nn_init_const(struct vt_nn_val *p, double v);
void vt_nn_init_uniform(struct vt_nn_val *p, double lo, double hi,
			struct vt_rng *rng);
void vt_nn_init_normal(struct vt_nn_val *p, double mean, double std,
		       struct vt_rng *rng);
/* fan_in = shape[1] * prod(shape[2:]), fan_out = shape[0] * prod(shape[2:]) */
int64_t vt_nn_fan_in(const struct vt_nn_val *w);
int64_t vt_nn_fan_out(const struct vt_nn_val *w);
/* PyTorch's default for Linear and Conv: weight kaiming_uniform(a = sqrt 5),
 * that is U(+-1/sqrt(fan_in)), and bias U(+-1/sqrt(fan_in)); b may be NULL */
void vt_nn_init_default(struct vt_nn_val *w, struct vt_nn_val *b,
			struct vt_rng *rng);
void vt_nn_init_xavier_uniform(struct vt_nn_val *w, double gain,
			       struct vt_rng *rng);
void vt_nn_init_xavier_normal(struct vt_nn_val *w, double gain,
			      struct vt_rng *rng);

#endif
