/* op_reduce.c - sums, means, softmax and log-softmax.
 *
 * Sums are sum_to (op_elem.c) with a reshape; softmax and log-softmax work
 * on x viewed as [outer, n, inner] with n the size of the reduced dim.
 */
#include <math.h>
#include <string.h>
#include <tgmath.h>

#include "nn_impl.h"

struct vt_nn_val *vt_nn_sum(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	return vt_nn_sum_to(g, x, 0, NULL);
}

struct vt_nn_val *vt_nn_mean(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	if (!x)
		return vt_nn_sum(g, x);
	return vt_nn_scale(g, vt_nn_sum(g, x), 1.0 / (double)x->numel);
}

static bool fix_dim(struct vt_nn_graph *g, const struct vt_nn_val *x, int *dim,
		    const char *what)
{
	if (*dim < 0)
		*dim += x->rank;
	if (*dim < 0 || *dim >= x->rank) {
		vt_nn__fail(g, VT_EINVAL, "%s: dim out of range for rank %d",
			    what, x->rank);
		return false;
	}
	return true;
}

struct vt_nn_val *vt_nn_sum_dim(struct vt_nn_graph *g, struct vt_nn_val *x,
				int dim, bool keepdim)
{
	int64_t shape[VT_NN_MAX_RANK];
	struct vt_nn_val *s;
	int r = 0;

	if (!x || g->status)
		return vt_nn_sum(g, x);
	if (!fix_dim(g, x, &dim, "sum_dim"))
		return NULL;
	for (int i = 0; i < x->rank; i++)
		shape[i] = i == dim ? 1 : x->shape[i];
	s = vt_nn_sum_to(g, x, x->rank, shape);
	if (keepdim || !s)
		return s;
	for (int i = 0; i < x->rank; i++)
		if (i != dim)
			shape[r++] = x->shape[i];
	return vt_nn_reshape(g, s, r, shape);
}

struct vt_nn_val *vt_nn_mean_dim(struct vt_nn_graph *g, struct vt_nn_val *x,
				 int dim, bool keepdim)
{
	int d = dim;

	if (!x || g->status)
		return vt_nn_sum(g, x);
	if (!fix_dim(g, x, &d, "mean_dim"))
		return NULL;
	return vt_nn_scale(g, vt_nn_sum_dim(g, x, d, keepdim),
			   1.0 / (double)x->shape[d]);
}

/* outer, n, inner of x around dim */
static void split(const struct vt_nn_val *x, int dim, size_t *outer, size_t *n,
		  size_t *inner)
{
	*outer = *inner = 1;
	for (int i = 0; i < dim; i++)
		*outer *= (size_t)x->shape[i];
	*n = (size_t)x->shape[dim];
	for (int i = dim + 1; i < x->rank; i++)
		*inner *= (size_t)x->shape[i];
}

#define SOFTMAX(T, NAME) \
	static void NAME(T *y, const T *x, size_t outer, size_t n, \
			 size_t inner, bool logp) \
	{ \
		for (size_t o = 0; o < outer; o++) \
			for (size_t j = 0; j < inner; j++) { \
				const T *xp = x + o * n * inner + j; \
				T *yp = y + o * n * inner + j; \
				T m = -INFINITY, s = 0; \
				for (size_t i = 0; i < n; i++) \
					m = xp[i * inner] > m ? \
						xp[i * inner] : m; \
				for (size_t i = 0; i < n; i++) \
					s += exp(xp[i * inner] - m); \
				for (size_t i = 0; i < n; i++) \
					yp[i * inner] = logp ? \
						xp[i * inner] - m - log(s) : \
						exp(xp[i * inner] - m) / s; \
			} \
	}

SOFTMAX(float, softmax_f32)
SOFTMAX(double, softmax_f64)

static struct vt_nn_val *softmax(struct vt_nn_graph *g, enum vt_nn_op op,
				 struct vt_nn_val *x, int dim)
{
	struct vt_nn_val *y;
	size_t outer, n, inner;

	if (x && !g->status &&
	    (!vt_nn__check_float(g, x, vt_nn_op_name(op)) ||
	     !fix_dim(g, x, &dim, vt_nn_op_name(op))))
		return NULL;
	y = vt_nn__result(g, op, x ? x->dtype : VT_F32, x ? x->rank : 0,
			  x ? x->shape : NULL, 1, &x);
	if (!y)
		return NULL;
	y->ip[0] = dim;
	split(x, dim, &outer, &n, &inner);
	if (x->dtype == VT_F32)
		softmax_f32(y->data, x->data, outer, n, inner,
			    op == VT_NN_OP_LOG_SOFTMAX);
	else
		softmax_f64(y->data, x->data, outer, n, inner,
			    op == VT_NN_OP_LOG_SOFTMAX);
	return y;
}

struct vt_nn_val *vt_nn_softmax(struct vt_nn_graph *g, struct vt_nn_val *x,
				int dim)
{
	return softmax(g, VT_NN_OP_SOFTMAX, x, dim);
}

struct vt_nn_val *vt_nn_log_softmax(struct vt_nn_graph *g, struct vt_nn_val *x,
				    int dim)
{
	return softmax(g, VT_NN_OP_LOG_SOFTMAX, x, dim);
}

VT_NN_BW(softmax)
{
	/* gx = y * (gy - sum(gy * y, dim)) */
	int dim = (int)y->ip[0];

	(void)need;
	gx[0] = vt_nn_mul(g, y, vt_nn_sub(g, gy,
					  vt_nn_sum_dim(g, vt_nn_mul(g, gy, y),
							dim, true)));
}

VT_NN_BW(log_softmax)
{
	/* gx = gy - exp(y) * sum(gy, dim) */
	int dim = (int)y->ip[0];

	(void)need;
	gx[0] = vt_nn_sub(g, gy, vt_nn_mul(g, vt_nn_exp(g, y),
					   vt_nn_sum_dim(g, gy, dim, true)));
}
