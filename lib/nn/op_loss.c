/* op_loss.c - losses, each the mean over all elements (PyTorch's default).
 *
 * BCE and BCE-with-logits are ops of their own, because PyTorch's backward
 * is not the derivative of its clamped forward (BCE divides by
 * max(p(1-p), 1e-12); with logits the gradient is exact at x = 0).  MSE, L1
 * and cross-entropy are compositions of other ops.
 */
#include <math.h>
#include <tgmath.h>

#include "nn_impl.h"

static bool loss_args(struct vt_nn_graph *g, struct vt_nn_val *x,
		      struct vt_nn_val *t, const char *what)
{
	if (!x || !t || g->status)
		return false;
	return vt_nn__check_float(g, x, what) && vt_nn__check_same(g, x, t, what);
}

#define BCE_SUM(T, NAME) \
	static double NAME(const T *p, const T *t, size_t n, bool logits) \
	{ \
		double s = 0; \
		for (size_t i = 0; i < n; i++) { \
			T x = p[i], y = t[i], l; \
			if (logits) { \
				T m = -x > 0 ? -x : (T)0; \
				l = ((T)1 - y) * x + m + \
				    log(exp(-m) + exp(-x - m)); \
			} else { \
				T a = log(x), b = log((T)1 - x); \
				a = a < (T)-100 ? (T)-100 : a; \
				b = b < (T)-100 ? (T)-100 : b; \
				l = -(y * a + ((T)1 - y) * b); \
			} \
			s += l; \
		} \
		return s; \
	}

BCE_SUM(float, bce_f32)
BCE_SUM(double, bce_f64)

static struct vt_nn_val *bce(struct vt_nn_graph *g, enum vt_nn_op op,
			     struct vt_nn_val *x, struct vt_nn_val *t)
{
	struct vt_nn_val *src[2] = { x, t }, *y;
	double s;

	if (!x || !t || g->status)
		return vt_nn__result(g, op, VT_F32, 0, NULL, 2, src);
	if (!loss_args(g, x, t, vt_nn_op_name(op)))
		return NULL;
	y = vt_nn__result(g, op, x->dtype, 0, NULL, 2, src);
	if (!y)
		return NULL;
	if (x->dtype == VT_F32)
		s = bce_f32(x->data, t->data, x->numel,
			    op == VT_NN_OP_BCE_LOGITS);
	else
		s = bce_f64(x->data, t->data, x->numel,
			    op == VT_NN_OP_BCE_LOGITS);
	s /= (double)x->numel;
	if (y->dtype == VT_F32)
		VT_NN_F32(y)[0] = (float)s;
	else
		VT_NN_F64(y)[0] = s;
	return y;
}

struct vt_nn_val *vt_nn_bce(struct vt_nn_graph *g, struct vt_nn_val *p,
			    struct vt_nn_val *target)
{
	return bce(g, VT_NN_OP_BCE, p, target);
}

struct vt_nn_val *vt_nn_bce_logits(struct vt_nn_graph *g, struct vt_nn_val *x,
				   struct vt_nn_val *target)
{
	return bce(g, VT_NN_OP_BCE_LOGITS, x, target);
}

VT_NN_BW(bce)
{
	struct vt_nn_val *p = y->src[0], *t = y->src[1];
	struct vt_nn_val *k = vt_nn_scale(g, gy, 1.0 / (double)p->numel);

	if (need[0]) {
		/* (p - t) / max(p (1 - p), eps), PyTorch's eps being the
		 * float 1e-12 (9.9999999600419720025e-13 in double) */
		struct vt_nn_val *den = vt_nn_mul(
			g, p, vt_nn_add_scalar(g, vt_nn_neg(g, p), 1.0));

		den = vt_nn_clamp(g, den, (double)1e-12f, INFINITY);
		gx[0] = vt_nn_mul(g, vt_nn_div(g, vt_nn_sub(g, p, t), den), k);
	}
	if (need[1]) {
		/* log(1 - p) - log(p), each clamped at -100 */
		struct vt_nn_val *a = vt_nn_clamp(g, vt_nn_log(g, p), -100,
						  INFINITY);
		struct vt_nn_val *b = vt_nn_clamp(
			g, vt_nn_log(g, vt_nn_add_scalar(g, vt_nn_neg(g, p),
							 1.0)),
			-100, INFINITY);

		gx[1] = vt_nn_mul(g, vt_nn_sub(g, b, a), k);
	}
}

VT_NN_BW(bce_logits)
{
	struct vt_nn_val *x = y->src[0], *t = y->src[1];
	struct vt_nn_val *k = vt_nn_scale(g, gy, 1.0 / (double)x->numel);

	if (need[0])
		gx[0] = vt_nn_mul(g, vt_nn_sub(g, vt_nn_sigmoid(g, x), t), k);
	if (need[1])
		gx[1] = vt_nn_mul(g, vt_nn_neg(g, x), k);
}

struct vt_nn_val *vt_nn_mse(struct vt_nn_graph *g, struct vt_nn_val *x,
			    struct vt_nn_val *target)
{
	struct vt_nn_val *d;

	if (x && target && !g->status && !loss_args(g, x, target, "mse"))
		return NULL;
	d = vt_nn_sub(g, x, target);
	return vt_nn_mean(g, vt_nn_mul(g, d, d));
}

struct vt_nn_val *vt_nn_l1(struct vt_nn_graph *g, struct vt_nn_val *x,
			   struct vt_nn_val *target)
{
	if (x && target && !g->status && !loss_args(g, x, target, "l1"))
		return NULL;
	return vt_nn_mean(g, vt_nn_abs(g, vt_nn_sub(g, x, target)));
}

struct vt_nn_val *vt_nn_cross_entropy(struct vt_nn_graph *g,
				      struct vt_nn_val *x,
				      struct vt_nn_val *target)
{
	return vt_nn_neg(g, vt_nn_mean(g, vt_nn_pick(g, vt_nn_log_softmax(g, x,
									  1),
						     target)));
}
