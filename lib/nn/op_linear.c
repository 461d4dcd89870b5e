/* op_linear.c - matrix products through OpenBLAS: matmul and linear. */
#include <cblas.h>
#include <string.h>
#include <unistd.h>

#include "vt/parallel.h"

#include "nn_impl.h"

/* One pool for all threads: lib/nn's products are cut into blocks on vt's
 * workers (gemm.c), and OpenBLAS runs each block on the caller's thread. */
void vt_nn_set_threads(int n)
{
	vt_par_set_threads(n);
	openblas_set_num_threads(1);
}

int vt_nn_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* rows and columns of op(x) */
static void dims(const struct vt_nn_val *x, bool t, int64_t *r, int64_t *c)
{
	*r = t ? x->shape[1] : x->shape[0];
	*c = t ? x->shape[0] : x->shape[1];
}

/* y [m,n] = op(a) @ op(b) + beta * y */
static void gemm(struct vt_nn_val *y, const struct vt_nn_val *a, bool ta,
		 const struct vt_nn_val *b, bool tb, int64_t k, double beta)
{
	vt_nn__gemm(y->dtype, ta, tb, y->shape[0], y->shape[1], k, a->data,
		    a->shape[1], b->data, b->shape[1], beta, y->data,
		    y->shape[1]);
}

static bool check2d(struct vt_nn_graph *g, const struct vt_nn_val *x,
		    const char *what)
{
	char buf[96];

	if (!vt_nn__check_float(g, x, what))
		return false;
	if (x->rank != 2 || x->shape[0] > INT32_MAX || x->shape[1] > INT32_MAX) {
		vt_nn__fail(g, VT_EINVAL, "%s: shape %s, expected a matrix",
			    what, vt_nn__shape_str(x, buf, sizeof buf));
		return false;
	}
	return true;
}

struct vt_nn_val *vt_nn_matmul(struct vt_nn_graph *g, struct vt_nn_val *a,
			       struct vt_nn_val *b, bool ta, bool tb)
{
	struct vt_nn_val *src[2] = { a, b }, *y;
	int64_t ar, ac, br, bc, shape[2];
	char s1[96], s2[96];

	if (!a || !b || g->status)
		return vt_nn__result(g, VT_NN_OP_MATMUL, VT_F32, 0, NULL, 2,
				     src);
	if (!check2d(g, a, "matmul") || !check2d(g, b, "matmul"))
		return NULL;
	dims(a, ta, &ar, &ac);
	dims(b, tb, &br, &bc);
	if (ac != br || a->dtype != b->dtype)
		return vt_nn__fail(g, VT_EINVAL,
				   "matmul: %s%s and %s%s do not multiply",
				   vt_nn__shape_str(a, s1, sizeof s1),
				   ta ? "^T" : "",
				   vt_nn__shape_str(b, s2, sizeof s2),
				   tb ? "^T" : "");
	shape[0] = ar;
	shape[1] = bc;
	y = vt_nn__result(g, VT_NN_OP_MATMUL, a->dtype, 2, shape, 2, src);
	if (!y)
		return NULL;
	y->ip[0] = ta;
	y->ip[1] = tb;
	if (ac == 0)
		memset(y->data, 0, y->numel * vt_dtype_size(y->dtype));
	else
		gemm(y, a, ta, b, tb, ac, 0.0);
	return y;
}

VT_NN_BW(matmul)
{
	/* y = op(a) op(b):  d op(a) = gy op(b)^T,  d op(b) = op(a)^T gy,
	 * transposed back when a or b entered transposed */
	struct vt_nn_val *a = y->src[0], *b = y->src[1];
	bool ta = y->ip[0], tb = y->ip[1];

	if (need[0])
		gx[0] = ta ? vt_nn_matmul(g, b, gy, tb, true)
			   : vt_nn_matmul(g, gy, b, false, !tb);
	if (need[1])
		gx[1] = tb ? vt_nn_matmul(g, gy, a, true, ta)
			   : vt_nn_matmul(g, a, gy, !ta, false);
}

struct vt_nn_val *vt_nn_linear(struct vt_nn_graph *g, struct vt_nn_val *x,
			       struct vt_nn_val *w, struct vt_nn_val *b)
{
	struct vt_nn_val *src[3] = { x, w, b }, *y;
	int64_t shape[2];
	char s1[96], s2[96];
	int nsrc = b ? 3 : 2;

	if (!x || !w || g->status)
		return vt_nn__result(g, VT_NN_OP_LINEAR, VT_F32, 0, NULL, 2,
				     src);
	if (!check2d(g, x, "linear") || !check2d(g, w, "linear"))
		return NULL;
	if (x->shape[1] != w->shape[1] || x->dtype != w->dtype)
		return vt_nn__fail(g, VT_EINVAL,
				   "linear: input %s does not fit weight %s",
				   vt_nn__shape_str(x, s1, sizeof s1),
				   vt_nn__shape_str(w, s2, sizeof s2));
	if (b && (b->rank != 1 || b->shape[0] != w->shape[0] ||
		  b->dtype != w->dtype))
		return vt_nn__fail(g, VT_EINVAL,
				   "linear: bias %s does not fit weight %s",
				   vt_nn__shape_str(b, s1, sizeof s1),
				   vt_nn__shape_str(w, s2, sizeof s2));
	shape[0] = x->shape[0];
	shape[1] = w->shape[0];
	y = vt_nn__result(g, VT_NN_OP_LINEAR, x->dtype, 2, shape, nsrc, src);
	if (!y)
		return NULL;
	if (b) {
		size_t n = (size_t)shape[1], esz = vt_dtype_size(y->dtype);

		for (int64_t r = 0; r < shape[0]; r++)
			memcpy((char *)y->data + (size_t)r * n * esz, b->data,
			       n * esz);
	} else {
		memset(y->data, 0, y->numel * vt_dtype_size(y->dtype));
	}
	if (x->shape[1])
		gemm(y, x, false, w, true, x->shape[1], 1.0);
	return y;
}

/* w->grad [out,in] += gy^T [out,N] @ x [N,in] */
static void wgrad_into(struct vt_nn_val *w, const struct vt_nn_val *gy,
		       const struct vt_nn_val *x)
{
	int out = (int)w->shape[0], in = (int)w->shape[1];
	int n = (int)x->shape[0];

	if (!out || !in || !n)
		return;
	vt_nn__gemm(w->dtype, true, false, out, in, n, gy->data, out, x->data,
		    in, 1.0, w->grad, in);
}

/* b->grad [out] += column sums of gy [N,out] (summed in double, rounded
 * once, then added: as sum_to followed by the accumulation) */
static void bgrad_into(struct vt_nn_graph *g, struct vt_nn_val *b,
		       const struct vt_nn_val *gy)
{
	size_t out = (size_t)gy->shape[1], n = (size_t)gy->shape[0];
	double *acc = vt_nn__alloc(g, (out ? out : 1) * sizeof *acc);

	if (!acc)
		return;
	memset(acc, 0, out * sizeof *acc);
	for (size_t r = 0; r < n; r++) {
		if (gy->dtype == VT_F32) {
			const float *row = VT_NN_F32(gy) + r * out;

			for (size_t j = 0; j < out; j++)
				acc[j] += row[j];
		} else {
			const double *row = VT_NN_F64(gy) + r * out;

			for (size_t j = 0; j < out; j++)
				acc[j] += row[j];
		}
	}
	for (size_t j = 0; j < out; j++) {
		if (b->dtype == VT_F32)
			((float *)b->grad)[j] += (float)acc[j];
		else
			((double *)b->grad)[j] += acc[j];
	}
}

VT_NN_BW(linear)
{
	/* y = x w^T + b:  gx = gy w,  gw = gy^T x,  gb = sum over rows */
	if (need[0])
		gx[0] = vt_nn_matmul(g, gy, y->src[1], false, false);
	if (need[1] && vt_nn__into_grad(g, y->src[1]))
		wgrad_into(y->src[1], gy, y->src[0]);
	else if (need[1])
		gx[1] = vt_nn_matmul(g, gy, y->src[0], true, false);
	if (y->nsrc > 2 && need[2] && vt_nn__into_grad(g, y->src[2]))
		bgrad_into(g, y->src[2], gy);
	else if (y->nsrc > 2 && need[2])
		gx[2] = vt_nn_sum_to(g, gy, 1, y->src[2]->shape);
}
