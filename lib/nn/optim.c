/* optim.c - Adam, RMSprop and SGD as torch.optim computes them, clipping and
 * learning-rate schedules.
 *
 * Each update is written once as a macro over the element type T, so the
 * float32 path rounds after every operation exactly where PyTorch's float
 * kernels do (with -ffp-contract=off there is no fused multiply-add).
 */
#include <math.h>
#include <stdbool.h>
#include <tgmath.h>
#include <stdlib.h>
#include <string.h>

#include "vt/nn_optim.h"
#include "nn_impl.h"
#include "vt/parallel.h"
#include "vt/size.h"

/* elements of a parameter tensor per task of an update (a multiple of
 * CHUNK below) */
#define TASK 32768

static const char *const optim_names[] = { "adam", "rmsprop", "sgd" };
_Static_assert(sizeof optim_names / sizeof optim_names[0] ==
	       VT_NN_OPTIM_COUNT, "one name per optimiser");

const char *vt_nn_optim_name(enum vt_nn_optim_kind k)
{
	return (unsigned)k < VT_NN_OPTIM_COUNT ? optim_names[k] : NULL;
}

struct vt_nn_optim_cfg vt_nn_optim_defaults(enum vt_nn_optim_kind k, double lr)
{
	struct vt_nn_optim_cfg c = { .kind = k, .lr = lr, .beta1 = 0.9,
				     .beta2 = 0.999, .alpha = 0.99,
				     .eps = 1e-8 };

	return c;
}

int vt_nn_optim_init(struct vt_nn_optim *o, const struct vt_nn_optim_cfg *cfg,
		     int n, struct vt_nn_val **params, struct vt_err *err)
{
	memset(o, 0, sizeof *o);
	if ((unsigned)cfg->kind >= VT_NN_OPTIM_COUNT || n < 0)
		return vt_err_set(err, VT_EINVAL, "bad optimiser settings");
	o->cfg = *cfg;
	o->n = n;
	o->params = vt_calloc_array((size_t)n + 1, sizeof *o->params);
	o->state1 = vt_calloc_array((size_t)n + 1, sizeof *o->state1);
	o->state2 = vt_calloc_array((size_t)n + 1, sizeof *o->state2);
	o->first_task = vt_calloc_array((size_t)n + 1, sizeof *o->first_task);
	if (!o->params || !o->state1 || !o->state2 || !o->first_task)
		goto oom;
	for (int i = 0; i < n; i++) {
		size_t esz = vt_dtype_size(params[i]->dtype);

		o->params[i] = params[i];
		o->first_task[i + 1] = o->first_task[i] +
				       (int64_t)((params[i]->numel + TASK - 1) /
						 TASK);
		o->state1[i] = vt_calloc_array(params[i]->numel, esz);
		if (!o->state1[i])
			goto oom;
		if (cfg->kind == VT_NN_ADAM) {
			o->state2[i] = vt_calloc_array(params[i]->numel, esz);
			if (!o->state2[i])
				goto oom;
		}
	}
	o->task_bad = vt_calloc_array((size_t)o->first_task[n] + 1, 1);
	if (!o->task_bad)
		goto oom;
	return 0;
oom:
	vt_nn_optim_release(o);
	return vt_err_set(err, VT_ENOMEM, "out of memory (optimiser state)");
}

void vt_nn_optim_release(struct vt_nn_optim *o)
{
	if (!o)
		return;
	for (int i = 0; i < o->n; i++) {
		if (o->state1)
			free(o->state1[i]);
		if (o->state2)
			free(o->state2[i]);
	}
	free(o->state1);
	free(o->state2);
	free(o->params);
	free(o->first_task);
	free(o->task_bad);
	memset(o, 0, sizeof *o);
}

/*
 * torch: grad = grad.add(param, alpha=wd) -> g + wd * p, computed on a copy;
 * here the decayed gradient is formed element by element.  Each loop comes
 * in two copies, with and without weight decay, so that it has no branch and
 * vectorises.
 */
#define DECAY(WD, g, p) ((WD) ? (g) + wd * (p) : (g))

#define ADAM_LOOP(T, WD) \
	for (size_t k = 0; k < n; k++) { \
		T g = DECAY(WD, gr[k], p[k]), den; \
		m[k] = m[k] * b1 + omb1 * g; \
		v[k] = v[k] * b2 + (omb2 * g) * g; \
		den = sqrt(v[k]) / bc2s + eps; \
		p[k] = p[k] + (nss * m[k]) / den; \
	}

#define ADAM(T) \
	do { \
		T *restrict p = pv, *restrict m = s1, *restrict v = s2; \
		const T *restrict gr = gv; \
		const T b1 = (T)c->beta1, b2 = (T)c->beta2; \
		const T omb1 = (T)(1 - c->beta1), omb2 = (T)(1 - c->beta2); \
		const T wd = (T)c->weight_decay, eps = (T)c->eps; \
		const T bc2s = (T)sqrt(1 - pow(c->beta2, (double)t)); \
		const T nss = (T)(-(c->lr / (1 - pow(c->beta1, (double)t)))); \
		if (c->weight_decay != 0) \
			ADAM_LOOP(T, 1) \
		else \
			ADAM_LOOP(T, 0) \
	} while (0)

#define RMSPROP_LOOP(T, WD) \
	for (size_t k = 0; k < n; k++) { \
		T g = DECAY(WD, gr[k], p[k]); \
		sq[k] = sq[k] * a + (oma * g) * g; \
		p[k] = p[k] + (nlr * g) / (sqrt(sq[k]) + eps); \
	}

#define RMSPROP(T) \
	do { \
		T *restrict p = pv, *restrict sq = s1; \
		const T *restrict gr = gv; \
		const T a = (T)c->alpha, oma = (T)(1 - c->alpha); \
		const T wd = (T)c->weight_decay, eps = (T)c->eps; \
		const T nlr = (T)(-c->lr); \
		if (c->weight_decay != 0) \
			RMSPROP_LOOP(T, 1) \
		else \
			RMSPROP_LOOP(T, 0) \
	} while (0)

/* torch: the first step copies the gradient into the buffer, later ones
 * compute buf * momentum + g (dampening 0) */
#define SGD(T) \
	do { \
		T *restrict p = pv, *restrict buf = s1; \
		const T *restrict gr = gv; \
		const T mom = (T)c->momentum, wd = (T)c->weight_decay; \
		const T nlr = (T)(-c->lr); \
		const bool dec = c->weight_decay != 0; \
		if (c->momentum == 0) { \
			for (size_t k = 0; k < n; k++) \
				p[k] = p[k] + nlr * DECAY(dec, gr[k], p[k]); \
		} else if (t == 1) { \
			for (size_t k = 0; k < n; k++) { \
				buf[k] = DECAY(dec, gr[k], p[k]); \
				p[k] = p[k] + nlr * buf[k]; \
			} \
		} else { \
			for (size_t k = 0; k < n; k++) { \
				buf[k] = buf[k] * mom + \
					 DECAY(dec, gr[k], p[k]); \
				p[k] = p[k] + nlr * buf[k]; \
			} \
		} \
	} while (0)

/* one parameter tensor */
VT_NN_SIMD
static void step_one(const struct vt_nn_optim_cfg *c, int64_t t, void *pv,
		     void *s1, void *s2, const void *gv, size_t n, bool f32)
{
	switch (c->kind) {
	case VT_NN_ADAM:
		if (f32)
			ADAM(float);
		else
			ADAM(double);
		break;
	case VT_NN_RMSPROP:
		if (f32)
			RMSPROP(float);
		else
			RMSPROP(double);
		break;
	default:
		if (f32)
			SGD(float);
		else
			SGD(double);
		break;
	}
}

/* Every tensor in chunks small enough to stay in cache, so that zeroing the
 * gradient right after its chunk is updated costs no extra memory pass; the
 * chunks of TASK elements run as tasks on the worker pool (each element's
 * update is independent: the same bits with any thread count). */
#define CHUNK 8192

struct step_job {
	struct vt_nn_optim *o;
	int64_t t;
	bool zero;
};

/* the tensor that holds task `task` of the update */
static int task_tensor(const struct vt_nn_optim *o, int task)
{
	int lo = 0, hi = o->n - 1;

	while (lo < hi) {   /* first_task[i] <= task < first_task[i + 1] */
		int mid = (lo + hi + 1) / 2;

		if (o->first_task[mid] <= task)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static void step_task(void *p, int task)
{
	const struct step_job *j = p;
	struct vt_nn_optim *o = j->o;
	int i = task_tensor(o, task);
	struct vt_nn_val *par;
	size_t esz, end;

	par = o->params[i];
	esz = vt_dtype_size(par->dtype);
	end = (size_t)(task - o->first_task[i] + 1) * TASK;
	end = end < par->numel ? end : par->numel;
	for (size_t at = (size_t)(task - o->first_task[i]) * TASK; at < end;
	     at += CHUNK) {
		size_t n = end - at < CHUNK ? end - at : CHUNK;
		size_t off = at * esz;
		char *gr = (char *)par->grad + off;

		step_one(&o->cfg, j->t, (char *)par->data + off,
			 (char *)o->state1[i] + off,
			 o->state2[i] ? (char *)o->state2[i] + off : NULL, gr,
			 n, par->dtype == VT_F32);
		if (j->zero)
			memset(gr, 0, n * esz);
	}
}

static void step_all(struct vt_nn_optim *o, bool zero)
{
	struct step_job j = { o, ++o->step, zero };

	if (o->n > 0)
		vt_par_run((int)o->first_task[o->n], step_task, &j);
}

void vt_nn_optim_step(struct vt_nn_optim *o)
{
	step_all(o, false);
}

void vt_nn_optim_step_zero(struct vt_nn_optim *o)
{
	step_all(o, true);
}

static bool finite_range(const struct vt_nn_val *p, size_t at, size_t n);

static void finite_task(void *arg, int task)
{
	struct vt_nn_optim *o = arg;
	int i = task_tensor(o, task);
	const struct vt_nn_val *par = o->params[i];
	size_t at = (size_t)(task - o->first_task[i]) * TASK;
	size_t n = par->numel - at < TASK ? par->numel - at : TASK;

	o->task_bad[task] = par->grad && !finite_range(par, at, n);
}

int vt_nn_optim_nonfinite(struct vt_nn_optim *o)
{
	if (o->n <= 0)
		return -1;
	vt_par_run((int)o->first_task[o->n], finite_task, o);
	for (int i = 0; i < o->n; i++)
		for (int64_t t = o->first_task[i]; t < o->first_task[i + 1]; t++)
			if (o->task_bad[t])
				return i;
	return -1;
}

void vt_nn_optim_zero_grad(struct vt_nn_optim *o)
{
	for (int i = 0; i < o->n; i++)
		vt_nn_param_zero_grad(o->params[i]);
}

/* the largest magnitude as bits: inf or nan when all exponent bits are set
 * (an integer max without a branch, so that it vectorises) */
VT_NN_SIMD
static uint32_t top_bits32(const uint32_t *restrict b, size_t n)
{
	uint32_t top = 0;

	for (size_t k = 0; k < n; k++) {
		uint32_t m = b[k] & 0x7fffffffu;

		top = m > top ? m : top;
	}
	return top;
}

VT_NN_SIMD
static uint64_t top_bits64(const uint64_t *restrict b, size_t n)
{
	uint64_t top = 0;

	for (size_t k = 0; k < n; k++) {
		uint64_t m = b[k] & UINT64_C(0x7fffffffffffffff);

		top = m > top ? m : top;
	}
	return top;
}

static bool finite_range(const struct vt_nn_val *p, size_t at, size_t n)
{
	if (p->dtype == VT_F32)
		return top_bits32((const uint32_t *)p->grad + at, n) <
		       0x7f800000u;
	return top_bits64((const uint64_t *)p->grad + at, n) <
	       UINT64_C(0x7ff0000000000000);
}

bool vt_nn_grad_finite(const struct vt_nn_val *p)
{
	return !p->grad || finite_range(p, 0, p->numel);
}

double vt_nn_clip_grad_norm(int n, struct vt_nn_val **params, double max_norm)
{
	double total = 0, coef;

	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < params[i]->numel; k++) {
			double g = vt_dtype_load(params[i]->dtype,
						 params[i]->grad, k);

			total += g * g;
		}
	total = sqrt(total);
	coef = max_norm / (total + 1e-6);
	if (coef < 1)
		for (int i = 0; i < n; i++)
			for (size_t k = 0; k < params[i]->numel; k++) {
				struct vt_nn_val *p = params[i];

				vt_dtype_store(p->dtype, p->grad, k,
					       vt_dtype_load(p->dtype, p->grad,
							     k) * coef);
			}
	return total;
}

static void clamp_buf(enum vt_dtype dt, void *buf, size_t n, double lo,
		      double hi)
{
	for (size_t k = 0; k < n; k++) {
		double x = vt_dtype_load(dt, buf, k);

		if (x < lo)
			vt_dtype_store(dt, buf, k, lo);
		else if (x > hi)
			vt_dtype_store(dt, buf, k, hi);
	}
}

void vt_nn_clip_grad_value(int n, struct vt_nn_val **params, double v)
{
	for (int i = 0; i < n; i++)
		clamp_buf(params[i]->dtype, params[i]->grad, params[i]->numel,
			  -v, v);
}

void vt_nn_clip_weights(int n, struct vt_nn_val **params, double lo,
			double hi)
{
	for (int i = 0; i < n; i++)
		clamp_buf(params[i]->dtype, params[i]->data, params[i]->numel,
			  lo, hi);
}

/* ---- learning-rate schedules ---- */

static const char *const lr_names[] = { "constant", "linear", "cosine",
					"step" };
_Static_assert(sizeof lr_names / sizeof lr_names[0] == VT_NN_LR_COUNT,
	       "one name per schedule");

const char *vt_nn_lr_name(enum vt_nn_lr_kind k)
{
	return (unsigned)k < VT_NN_LR_COUNT ? lr_names[k] : NULL;
}

double vt_nn_lr_at(const struct vt_nn_lr *s, int64_t step)
{
	switch (s->kind) {
	case VT_NN_LR_LINEAR:
		if (step <= s->start || s->total <= s->start)
			return s->base;
		if (step >= s->total)
			return 0;
		return s->base * (1.0 - (double)(step - s->start) /
					(double)(s->total - s->start));
	case VT_NN_LR_COSINE:
		if (s->total <= 0 || step >= s->total)
			return s->total <= 0 ? s->base : 0;
		return s->base * (1 + cos(M_PI * (double)step /
					  (double)s->total)) / 2;
	case VT_NN_LR_STEP:
		if (s->every <= 0)
			return s->base;
		return s->base * pow(s->gamma, (double)(step / s->every));
	default:
		return s->base;
	}
}
