/* op_elem.c - elementwise ops with broadcasting, and broadcast / sum_to.
 *
 * Kernels exist for float and double; float math uses the float functions
 * (<tgmath.h>), as PyTorch computes float32 in float.
 */
#include <math.h>
#include <string.h>
#include <tgmath.h>

#include "vt/parallel.h"

#include "nn_impl.h"

/* ---- broadcasting helpers ---- */

/* out shape of broadcasting a with b; false if incompatible */
static bool bcast_shape(const struct vt_nn_val *a, const struct vt_nn_val *b,
			int *rank, int64_t *shape)
{
	int r = a->rank > b->rank ? a->rank : b->rank;

	for (int i = 0; i < r; i++) {
		int ia = i - (r - a->rank), ib = i - (r - b->rank);
		int64_t ea = ia >= 0 ? a->shape[ia] : 1;
		int64_t eb = ib >= 0 ? b->shape[ib] : 1;

		if (ea != eb && ea != 1 && eb != 1)
			return false;
		shape[i] = ea == 1 ? eb : ea;
	}
	*rank = r;
	return true;
}

/* Strides (in elements) of x viewed with the shape (rank, shape) it
 * broadcasts to: 0 along broadcast dimensions. */
static void bcast_strides(const struct vt_nn_val *x, int rank,
			  const int64_t *shape, ptrdiff_t *st)
{
	ptrdiff_t s = 1;

	for (int i = rank - 1; i >= 0; i--) {
		int ix = i - (rank - x->rank);
		int64_t e = ix >= 0 ? x->shape[ix] : 1;

		st[i] = (e == 1 && shape[i] != 1) || ix < 0 ? 0 : s;
		if (ix >= 0)
			s *= (ptrdiff_t)e;
	}
}

/* Advance an odometer over dims 0..rank-2 (the last dim is the inner loop),
 * moving offsets off[k] by strides st[k]. */
static void odo_next(int rank, const int64_t *shape, int64_t *idx, int nk,
		     ptrdiff_t (*st)[VT_NN_MAX_RANK], ptrdiff_t *off)
{
	for (int d = rank - 2; d >= 0; d--) {
		for (int k = 0; k < nk; k++)
			off[k] += st[k][d];
		if (++idx[d] < shape[d])
			return;
		for (int k = 0; k < nk; k++)
			off[k] -= st[k][d] * shape[d];
		idx[d] = 0;
	}
}

/* ---- binary ops ---- */

enum bin { B_ADD, B_SUB, B_MUL, B_DIV, B_TANHBW, B_SIGBW, B_COUNT };

#define BIN_EXPR(T, k, x, z) \
	((k) == B_ADD ? (x) + (z) : (k) == B_SUB ? (x) - (z) : \
	 (k) == B_MUL ? (x) * (z) : (k) == B_DIV ? (x) / (z) : \
	 (k) == B_TANHBW ? (x) * ((T)1 - (z) * (z)) : \
	 (x) * ((z) * ((T)1 - (z))))

/* always inlined: each call site has a constant k, so every op gets its own
 * branch-free loop that GCC vectorises */
#define BIN_ROW(T, NAME) \
	static inline __attribute__((always_inline)) void NAME(enum bin k, T *y, const T *a, const T *b, \
			 size_t n, ptrdiff_t sa, ptrdiff_t sb) \
	{ \
		if (sa == 1 && sb == 1) { \
			for (size_t i = 0; i < n; i++) \
				y[i] = BIN_EXPR(T, k, a[i], b[i]); \
		} else if (sa == 1 && sb == 0) { \
			T z = b[0]; \
			for (size_t i = 0; i < n; i++) \
				y[i] = BIN_EXPR(T, k, a[i], z); \
		} else { \
			for (size_t i = 0; i < n; i++) \
				y[i] = BIN_EXPR(T, k, a[i * sa], b[i * sb]); \
		} \
	}

/* the switch on k is hoisted by the compiler: one specialised loop per op */
BIN_ROW(float, bin_row_f32)
BIN_ROW(double, bin_row_f64)

static const enum vt_nn_op bin_op[B_COUNT] = {
	VT_NN_OP_ADD, VT_NN_OP_SUB, VT_NN_OP_MUL, VT_NN_OP_DIV,
	VT_NN_OP_TANH_BACKWARD, VT_NN_OP_SIGMOID_BACKWARD,
};

static void bin_rows(enum bin k, struct vt_nn_val *y, const struct vt_nn_val *a,
		     const struct vt_nn_val *b, size_t n, ptrdiff_t oy,
		     ptrdiff_t oa, ptrdiff_t ob, ptrdiff_t sa, ptrdiff_t sb)
{
	if (y->dtype == VT_F32) {
		switch (k) {
#define CASE(K) case K: bin_row_f32(K, VT_NN_F32(y) + oy, VT_NN_F32(a) + oa, \
				    VT_NN_F32(b) + ob, n, sa, sb); break;
		CASE(B_ADD) CASE(B_SUB) CASE(B_MUL) CASE(B_DIV) CASE(B_TANHBW)
		CASE(B_SIGBW)
#undef CASE
		default: break;
		}
	} else {
		switch (k) {
#define CASE(K) case K: bin_row_f64(K, VT_NN_F64(y) + oy, VT_NN_F64(a) + oa, \
				    VT_NN_F64(b) + ob, n, sa, sb); break;
		CASE(B_ADD) CASE(B_SUB) CASE(B_MUL) CASE(B_DIV) CASE(B_TANHBW)
		CASE(B_SIGBW)
#undef CASE
		default: break;
		}
	}
}

struct par_elems {
	void (*fn)(void *arg, size_t at, size_t count);
	void *arg;
	size_t n;
	int blocks;
};

static void par_elems_task(void *arg, int task)
{
	const struct par_elems *p = arg;
	size_t at = (size_t)task * VT_NN_PAR_ELEMS;

	p->fn(p->arg, at, task == p->blocks - 1 ? p->n - at : VT_NN_PAR_ELEMS);
}

void vt_nn__par_elems(size_t n, void (*fn)(void *arg, size_t at, size_t count),
		      void *arg)
{
	struct par_elems p = {
		fn, arg, n,
		n < 2 * VT_NN_PAR_ELEMS ? (n > 0)
					: (int)((n + VT_NN_PAR_ELEMS - 1) /
						VT_NN_PAR_ELEMS),
	};

	vt_par_run(p.blocks, par_elems_task, &p);
}

/* a same-shape (sb 1) or scalar-b (sb 0) op in blocks on the pool */
struct bin_job {
	enum bin k;
	struct vt_nn_val *y;
	const struct vt_nn_val *a, *b;
	ptrdiff_t sb;
};

static void bin_block(void *arg, size_t at, size_t n)
{
	const struct bin_job *j = arg;

	bin_rows(j->k, j->y, j->a, j->b, n, (ptrdiff_t)at, (ptrdiff_t)at,
		 j->sb ? (ptrdiff_t)at : 0, 1, j->sb);
}

static struct vt_nn_val *binary(struct vt_nn_graph *g, enum bin k,
				struct vt_nn_val *a, struct vt_nn_val *b)
{
	struct vt_nn_val *src[2] = { a, b }, *y;
	int64_t shape[VT_NN_MAX_RANK], idx[VT_NN_MAX_RANK] = { 0 };
	ptrdiff_t st[2][VT_NN_MAX_RANK], off[2] = { 0, 0 };
	const char *name = vt_nn_op_name(bin_op[k]);
	char s1[96], s2[96];
	int rank;
	size_t inner, rows;

	if (!a || !b || g->status)
		return vt_nn__result(g, bin_op[k], VT_F32, 0, NULL, 2, src);
	if (!vt_nn__check_float(g, a, name) || !vt_nn__check_float(g, b, name))
		return NULL;
	if (a->dtype != b->dtype)
		return vt_nn__fail(g, VT_EINVAL, "%s: dtypes %s and %s differ",
				   name, vt_dtype_name(a->dtype),
				   vt_dtype_name(b->dtype));
	if (!bcast_shape(a, b, &rank, shape))
		return vt_nn__fail(g, VT_EINVAL,
				   "%s: shapes %s and %s do not broadcast", name,
				   vt_nn__shape_str(a, s1, sizeof s1),
				   vt_nn__shape_str(b, s2, sizeof s2));
	y = vt_nn__result(g, bin_op[k], a->dtype, rank, shape, 2, src);
	if (!y || !y->numel)
		return y;
	if (vt_nn_same_shape(a, b) || b->numel == 1) {
		struct bin_job j = { k, y, a, b, vt_nn_same_shape(a, b) ? 1 : 0 };

		vt_nn__par_elems(y->numel, bin_block, &j);
		return y;
	}
	bcast_strides(a, rank, shape, st[0]);
	bcast_strides(b, rank, shape, st[1]);
	inner = (size_t)shape[rank - 1];
	rows = y->numel / inner;
	for (size_t r = 0; r < rows; r++) {
		bin_rows(k, y, a, b, inner, (ptrdiff_t)(r * inner), off[0],
			 off[1], st[0][rank - 1], st[1][rank - 1]);
		odo_next(rank, shape, idx, 2, st, off);
	}
	return y;
}

struct vt_nn_val *vt_nn_add(struct vt_nn_graph *g, struct vt_nn_val *a,
			    struct vt_nn_val *b)
{
	return binary(g, B_ADD, a, b);
}

struct vt_nn_val *vt_nn_sub(struct vt_nn_graph *g, struct vt_nn_val *a,
			    struct vt_nn_val *b)
{
	return binary(g, B_SUB, a, b);
}

struct vt_nn_val *vt_nn_mul(struct vt_nn_graph *g, struct vt_nn_val *a,
			    struct vt_nn_val *b)
{
	return binary(g, B_MUL, a, b);
}

struct vt_nn_val *vt_nn_div(struct vt_nn_graph *g, struct vt_nn_val *a,
			    struct vt_nn_val *b)
{
	return binary(g, B_DIV, a, b);
}

static struct vt_nn_val *same_shape_binary(struct vt_nn_graph *g, enum bin k,
					   struct vt_nn_val *a,
					   struct vt_nn_val *b)
{
	if (a && b && !vt_nn__check_same(g, a, b, vt_nn_op_name(bin_op[k])))
		return NULL;
	return binary(g, k, a, b);
}

struct vt_nn_val *vt_nn_tanh_backward(struct vt_nn_graph *g,
				      struct vt_nn_val *gy, struct vt_nn_val *y)
{
	return same_shape_binary(g, B_TANHBW, gy, y);
}

struct vt_nn_val *vt_nn_sigmoid_backward(struct vt_nn_graph *g,
					 struct vt_nn_val *gy,
					 struct vt_nn_val *y)
{
	return same_shape_binary(g, B_SIGBW, gy, y);
}

/* gradient of a broadcast input: sum the upstream gradient down to x */
static struct vt_nn_val *to(struct vt_nn_graph *g, struct vt_nn_val *d,
			    const struct vt_nn_val *x)
{
	return vt_nn_sum_to(g, d, x->rank, x->shape);
}

VT_NN_BW(add)
{
	if (need[0])
		gx[0] = to(g, gy, y->src[0]);
	if (need[1])
		gx[1] = to(g, gy, y->src[1]);
}

VT_NN_BW(sub)
{
	if (need[0])
		gx[0] = to(g, gy, y->src[0]);
	if (need[1])
		gx[1] = vt_nn_neg(g, to(g, gy, y->src[1]));
}

VT_NN_BW(mul)
{
	if (need[0])
		gx[0] = to(g, vt_nn_mul(g, gy, y->src[1]), y->src[0]);
	if (need[1])
		gx[1] = to(g, vt_nn_mul(g, gy, y->src[0]), y->src[1]);
}

VT_NN_BW(div)
{
	if (need[0])
		gx[0] = to(g, vt_nn_div(g, gy, y->src[1]), y->src[0]);
	if (need[1])
		gx[1] = vt_nn_neg(g, to(g, vt_nn_div(g, vt_nn_mul(g, gy, y),
						     y->src[1]),
				       y->src[1]));
}

VT_NN_BW(tanh_backward)
{
	/* y = g (1 - t^2):  dy/dg = 1 - t^2,  dy/dt = -2 g t */
	if (need[0])
		gx[0] = vt_nn_tanh_backward(g, gy, y->src[1]);
	if (need[1])
		gx[1] = vt_nn_mul(g, vt_nn_mul(g, gy, y->src[0]),
				  vt_nn_scale(g, y->src[1], -2.0));
}

VT_NN_BW(sigmoid_backward)
{
	/* y = g s (1 - s):  dy/dg = s (1 - s),  dy/ds = g (1 - 2 s) */
	if (need[0])
		gx[0] = vt_nn_sigmoid_backward(g, gy, y->src[1]);
	if (need[1])
		gx[1] = vt_nn_mul(g, vt_nn_mul(g, gy, y->src[0]),
				  vt_nn_add_scalar(g, vt_nn_scale(g, y->src[1],
								  -2.0),
						   1.0));
}

/* ---- unary ops ---- */

#define UN_EXPR(T, op, x, p, q) \
	((op) == VT_NN_OP_SCALE ? (x) * (T)(p) : \
	 (op) == VT_NN_OP_ADD_SCALAR ? (x) + (T)(p) : \
	 (op) == VT_NN_OP_NEG ? -(x) : \
	 (op) == VT_NN_OP_EXP ? exp(x) : \
	 (op) == VT_NN_OP_LOG ? log(x) : \
	 (op) == VT_NN_OP_SQRT ? sqrt(x) : \
	 (op) == VT_NN_OP_ABS ? fabs(x) : \
	 (op) == VT_NN_OP_POW ? pow(x, (T)(p)) : \
	 (op) == VT_NN_OP_CLAMP ? ((x) < (T)(p) ? (T)(p) : \
				   (x) > (T)(q) ? (T)(q) : (x)) : \
	 (op) == VT_NN_OP_RELU ? ((x) > 0 ? (x) : (T)0) : \
	 (op) == VT_NN_OP_LEAKY_RELU ? (x) * ((x) > 0 ? (T)1 : (T)(p)) : \
	 (op) == VT_NN_OP_TANH ? tanh(x) : \
	 (op) == VT_NN_OP_SIGMOID ? (T)1 / ((T)1 + exp(-(x))) : \
	 (op) == VT_NN_OP_STEP ? ((x) > 0 ? (T)(p) : (T)(q)) : \
	 (op) == VT_NN_OP_INRANGE ? ((x) >= (T)(p) && (x) <= (T)(q) ? \
				     (T)1 : (T)0) : \
	 /* SIGN */ ((x) > 0 ? (T)1 : (x) < 0 ? (T)-1 : (T)0))

#define UN_LOOP(T, NAME) \
	static inline __attribute__((always_inline)) void NAME(enum vt_nn_op op, T *y, const T *x, size_t n, \
			 double p, double q) \
	{ \
		for (size_t i = 0; i < n; i++) \
			y[i] = UN_EXPR(T, op, x[i], p, q); \
	}

UN_LOOP(float, un_f32)
UN_LOOP(double, un_f64)

/* elements [at, at + n) */
static void un_range(enum vt_nn_op op, struct vt_nn_val *y,
		     const struct vt_nn_val *x, double p, double q, size_t at,
		     size_t n)
{
	/* one switch so that each op gets its own specialised loop */
	switch (op) {
#define CASE(O) case O: \
		if (y->dtype == VT_F32) \
			un_f32(O, VT_NN_F32(y) + at, VT_NN_F32(x) + at, n, p, \
			       q); \
		else \
			un_f64(O, VT_NN_F64(y) + at, VT_NN_F64(x) + at, n, p, \
			       q); \
		break;
	CASE(VT_NN_OP_SCALE) CASE(VT_NN_OP_ADD_SCALAR) CASE(VT_NN_OP_NEG)
	CASE(VT_NN_OP_EXP) CASE(VT_NN_OP_LOG) CASE(VT_NN_OP_SQRT)
	CASE(VT_NN_OP_ABS) CASE(VT_NN_OP_POW) CASE(VT_NN_OP_CLAMP)
	CASE(VT_NN_OP_RELU) CASE(VT_NN_OP_LEAKY_RELU) CASE(VT_NN_OP_TANH)
	CASE(VT_NN_OP_SIGMOID) CASE(VT_NN_OP_STEP) CASE(VT_NN_OP_INRANGE)
	CASE(VT_NN_OP_SIGN)
#undef CASE
	default:
		VT_BUG(1);
	}
}

struct un_job {
	enum vt_nn_op op;
	struct vt_nn_val *y;
	const struct vt_nn_val *x;
	double p, q;
};

static void un_block(void *arg, size_t at, size_t n)
{
	const struct un_job *j = arg;

	un_range(j->op, j->y, j->x, j->p, j->q, at, n);
}

static void un_run(enum vt_nn_op op, struct vt_nn_val *y,
		   const struct vt_nn_val *x, double p, double q)
{
	struct un_job j = { op, y, x, p, q };

	vt_nn__par_elems(y->numel, un_block, &j);
}

static struct vt_nn_val *unary(struct vt_nn_graph *g, enum vt_nn_op op,
			       struct vt_nn_val *x, double p, double q)
{
	struct vt_nn_val *y;

	if (x && !g->status && !vt_nn__check_float(g, x, vt_nn_op_name(op)))
		return NULL;
	y = vt_nn__result(g, op, x ? x->dtype : VT_F32, x ? x->rank : 0,
			  x ? x->shape : NULL, 1, &x);
	if (!y)
		return NULL;
	y->fp[0] = p;
	y->fp[1] = q;
	un_run(op, y, x, p, q);
	return y;
}

struct vt_nn_val *vt_nn_scale(struct vt_nn_graph *g, struct vt_nn_val *x,
			      double c)
{
	return unary(g, VT_NN_OP_SCALE, x, c, 0);
}

struct vt_nn_val *vt_nn_add_scalar(struct vt_nn_graph *g, struct vt_nn_val *x,
				   double c)
{
	return unary(g, VT_NN_OP_ADD_SCALAR, x, c, 0);
}

struct vt_nn_val *vt_nn_neg(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	return unary(g, VT_NN_OP_NEG, x, 0, 0);
}

struct vt_nn_val *vt_nn_exp(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	return unary(g, VT_NN_OP_EXP, x, 0, 0);
}

struct vt_nn_val *vt_nn_log(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	return unary(g, VT_NN_OP_LOG, x, 0, 0);
}

struct vt_nn_val *vt_nn_sqrt(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	return unary(g, VT_NN_OP_SQRT, x, 0, 0);
}

struct vt_nn_val *vt_nn_abs(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	return unary(g, VT_NN_OP_ABS, x, 0, 0);
}

struct vt_nn_val *vt_nn_pow(struct vt_nn_graph *g, struct vt_nn_val *x,
			    double c)
{
	return unary(g, VT_NN_OP_POW, x, c, 0);
}

struct vt_nn_val *vt_nn_clamp(struct vt_nn_graph *g, struct vt_nn_val *x,
			      double lo, double hi)
{
	return unary(g, VT_NN_OP_CLAMP, x, lo, hi);
}

struct vt_nn_val *vt_nn_relu(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	return unary(g, VT_NN_OP_RELU, x, 0, 0);
}

struct vt_nn_val *vt_nn_leaky_relu(struct vt_nn_graph *g, struct vt_nn_val *x,
				   double slope)
{
	return unary(g, VT_NN_OP_LEAKY_RELU, x, slope, 0);
}

struct vt_nn_val *vt_nn_tanh(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	return unary(g, VT_NN_OP_TANH, x, 0, 0);
}

struct vt_nn_val *vt_nn_sigmoid(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	return unary(g, VT_NN_OP_SIGMOID, x, 0, 0);
}

struct vt_nn_val *vt_nn_step(struct vt_nn_graph *g, struct vt_nn_val *x,
			     double a, double b)
{
	return unary(g, VT_NN_OP_STEP, x, a, b);
}

struct vt_nn_val *vt_nn_inrange(struct vt_nn_graph *g, struct vt_nn_val *x,
				double lo, double hi)
{
	return unary(g, VT_NN_OP_INRANGE, x, lo, hi);
}

struct vt_nn_val *vt_nn_sign(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	return unary(g, VT_NN_OP_SIGN, x, 0, 0);
}

VT_NN_BW(scale)
{
	(void)need;
	gx[0] = vt_nn_scale(g, gy, y->fp[0]);
}

VT_NN_BW(add_scalar)
{
	(void)g;
	(void)y;
	(void)need;
	gx[0] = gy;
}

VT_NN_BW(neg)
{
	(void)y;
	(void)need;
	gx[0] = vt_nn_neg(g, gy);
}

VT_NN_BW(exp)
{
	(void)need;
	gx[0] = vt_nn_mul(g, gy, y);
}

VT_NN_BW(log)
{
	(void)need;
	gx[0] = vt_nn_div(g, gy, y->src[0]);
}

VT_NN_BW(sqrt)
{
	(void)need;
	gx[0] = vt_nn_div(g, vt_nn_scale(g, gy, 0.5), y);
}

VT_NN_BW(abs)
{
	(void)need;
	gx[0] = vt_nn_mul(g, gy, vt_nn_sign(g, y->src[0]));
}

VT_NN_BW(pow)
{
	double c = y->fp[0];

	(void)need;
	if (c == 0)
		gx[0] = vt_nn_scale(g, gy, 0.0);
	else if (c == 1)
		gx[0] = gy;
	else
		gx[0] = vt_nn_mul(g, gy, vt_nn_scale(g, vt_nn_pow(g, y->src[0],
								 c - 1),
						     c));
}

VT_NN_BW(clamp)
{
	(void)need;
	gx[0] = vt_nn_mul(g, gy, vt_nn_inrange(g, y->src[0], y->fp[0],
					       y->fp[1]));
}

VT_NN_BW(relu)
{
	(void)need;
	gx[0] = vt_nn_leaky_relu_backward(g, gy, y->src[0], 0.0);
}

VT_NN_BW(leaky_relu)
{
	(void)need;
	gx[0] = vt_nn_leaky_relu_backward(g, gy, y->src[0], y->fp[0]);
}

#define LRB_LOOP(T, NAME) \
	static void NAME(T *restrict y, const T *restrict gy, \
			 const T *restrict x, size_t n, T slope) \
	{ \
		for (size_t i = 0; i < n; i++) \
			y[i] = gy[i] * (x[i] > 0 ? (T)1 : slope); \
	}

LRB_LOOP(float, lrb_f32)
LRB_LOOP(double, lrb_f64)

struct lrb_job {
	struct vt_nn_val *y;
	const struct vt_nn_val *gy, *x;
	double slope;
};

static void lrb_block(void *arg, size_t at, size_t n)
{
	const struct lrb_job *j = arg;

	if (j->y->dtype == VT_F32)
		lrb_f32(VT_NN_F32(j->y) + at, VT_NN_F32(j->gy) + at,
			VT_NN_F32(j->x) + at, n, (float)j->slope);
	else
		lrb_f64(VT_NN_F64(j->y) + at, VT_NN_F64(j->gy) + at,
			VT_NN_F64(j->x) + at, n, j->slope);
}

struct vt_nn_val *vt_nn_leaky_relu_backward(struct vt_nn_graph *g,
					    struct vt_nn_val *gy,
					    struct vt_nn_val *x, double slope)
{
	struct vt_nn_val *src[2] = { gy, x }, *y;
	struct lrb_job j = { NULL, gy, x, slope };

	if (gy && x && !g->status &&
	    !vt_nn__check_same(g, gy, x, "leaky_relu_backward"))
		return NULL;
	y = vt_nn__result(g, VT_NN_OP_LEAKY_RELU_BACKWARD,
			  gy ? gy->dtype : VT_F32, gy ? gy->rank : 0,
			  gy ? gy->shape : NULL, 2, src);
	if (!y)
		return NULL;
	y->fp[0] = slope;
	j.y = y;
	vt_nn__par_elems(y->numel, lrb_block, &j);
	return y;
}

VT_NN_BW(leaky_relu_backward)
{
	/* linear in gy; piecewise constant in x (no gradient) */
	if (need[0])
		gx[0] = vt_nn_leaky_relu_backward(g, gy, y->src[1], y->fp[0]);
}

VT_NN_BW(tanh)
{
	(void)need;
	gx[0] = vt_nn_tanh_backward(g, gy, y);
}

VT_NN_BW(sigmoid)
{
	(void)need;
	gx[0] = vt_nn_sigmoid_backward(g, gy, y);
}

/* ---- broadcast and sum_to ---- */

static bool broadcasts_to(const struct vt_nn_val *x, int rank,
			  const int64_t *shape)
{
	if (x->rank > rank)
		return false;
	for (int i = 0; i < x->rank; i++) {
		int64_t e = x->shape[i], t = shape[i + rank - x->rank];

		if (e != t && e != 1)
			return false;
	}
	return true;
}

static bool shape_eq(const struct vt_nn_val *x, int rank, const int64_t *shape)
{
	if (x->rank != rank)
		return false;
	for (int i = 0; i < rank; i++)
		if (x->shape[i] != shape[i])
			return false;
	return true;
}

struct vt_nn_val *vt_nn_broadcast(struct vt_nn_graph *g, struct vt_nn_val *x,
				  int rank, const int64_t *shape)
{
	struct vt_nn_val *y;
	int64_t idx[VT_NN_MAX_RANK] = { 0 };
	ptrdiff_t st[1][VT_NN_MAX_RANK], off[1] = { 0 }, s;
	size_t inner, rows, esz;
	char buf[96];

	if (!x || g->status)
		return vt_nn__result(g, VT_NN_OP_BROADCAST, VT_F32, 0, NULL,
				     1, &x);
	if (shape_eq(x, rank, shape))
		return x;
	if (rank > VT_NN_MAX_RANK || !broadcasts_to(x, rank, shape))
		return vt_nn__fail(g, VT_EINVAL,
				   "broadcast: %s does not broadcast to rank %d",
				   vt_nn__shape_str(x, buf, sizeof buf), rank);
	y = vt_nn__result(g, VT_NN_OP_BROADCAST, x->dtype, rank, shape, 1, &x);
	if (!y || !y->numel)
		return y;
	esz = vt_dtype_size(x->dtype);
	if (x->numel == 1) {
		for (size_t i = 0; i < y->numel; i++)
			memcpy((char *)y->data + i * esz, x->data, esz);
		return y;
	}
	bcast_strides(x, rank, shape, st[0]);
	inner = (size_t)shape[rank - 1];
	rows = y->numel / inner;
	s = st[0][rank - 1];
	for (size_t r = 0; r < rows; r++) {
		if (y->dtype == VT_F32) {
			float *o = VT_NN_F32(y) + r * inner;
			const float *in = VT_NN_F32(x) + off[0];

			for (size_t i = 0; i < inner; i++)
				o[i] = in[(ptrdiff_t)i * s];
		} else {
			double *o = VT_NN_F64(y) + r * inner;
			const double *in = VT_NN_F64(x) + off[0];

			for (size_t i = 0; i < inner; i++)
				o[i] = in[(ptrdiff_t)i * s];
		}
		odo_next(rank, shape, idx, 1, st, off);
	}
	return y;
}

struct vt_nn_val *vt_nn_sum_to(struct vt_nn_graph *g, struct vt_nn_val *x,
			       int rank, const int64_t *shape)
{
	struct vt_nn_val *y, tmp;
	int64_t idx[VT_NN_MAX_RANK] = { 0 };
	ptrdiff_t st[1][VT_NN_MAX_RANK], off[1] = { 0 }, s;
	size_t inner, rows;
	double *acc;
	char buf[96];

	if (!x || g->status)
		return vt_nn__result(g, VT_NN_OP_SUM_TO, VT_F32, 0, NULL, 1,
				     &x);
	if (shape_eq(x, rank, shape))
		return x;
	memset(&tmp, 0, sizeof tmp);
	tmp.rank = rank;
	for (int i = 0; i < rank; i++)
		tmp.shape[i] = shape[i];
	if (!vt_nn__check_float(g, x, "sum_to"))
		return NULL;
	if (rank > x->rank || !broadcasts_to(&tmp, x->rank, x->shape))
		return vt_nn__fail(g, VT_EINVAL,
				   "sum_to: %s does not reduce to rank %d",
				   vt_nn__shape_str(x, buf, sizeof buf), rank);
	y = vt_nn__result(g, VT_NN_OP_SUM_TO, x->dtype, rank, shape, 1, &x);
	if (!y)
		return NULL;
	/* accumulate in double, for F32 too */
	acc = vt_nn__alloc(g, (y->numel ? y->numel : 1) * sizeof *acc);
	if (!acc)
		return NULL;
	memset(acc, 0, y->numel * sizeof *acc);
	if (x->numel) {
		bcast_strides(&tmp, x->rank, x->shape, st[0]);
		inner = (size_t)x->shape[x->rank - 1];
		rows = x->numel / inner;
		s = st[0][x->rank - 1];
		for (size_t r = 0; r < rows; r++) {
			double *o = acc + off[0];

			if (x->dtype == VT_F32) {
				const float *in = VT_NN_F32(x) + r * inner;

				if (s == 0) {
					double t = 0;

					for (size_t i = 0; i < inner; i++)
						t += in[i];
					o[0] += t;
				} else {
					for (size_t i = 0; i < inner; i++)
						o[(ptrdiff_t)i * s] += in[i];
				}
			} else {
				const double *in = VT_NN_F64(x) + r * inner;

				if (s == 0) {
					double t = 0;

					for (size_t i = 0; i < inner; i++)
						t += in[i];
					o[0] += t;
				} else {
					for (size_t i = 0; i < inner; i++)
						o[(ptrdiff_t)i * s] += in[i];
				}
			}
			odo_next(x->rank, x->shape, idx, 1, st, off);
		}
	}
	for (size_t i = 0; i < y->numel; i++) {
		if (y->dtype == VT_F32)
			VT_NN_F32(y)[i] = (float)acc[i];
		else
			VT_NN_F64(y)[i] = acc[i];
	}
	return y;
}

VT_NN_BW(broadcast)
{
	(void)need;
	gx[0] = to(g, gy, y->src[0]);
}

VT_NN_BW(sum_to)
{
	(void)need;
	gx[0] = vt_nn_broadcast(g, gy, y->src[0]->rank, y->src[0]->shape);
}
