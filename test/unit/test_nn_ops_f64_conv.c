/* test_nn_ops_f64_conv.c - the convolution family against PyTorch in
 * float64 (ops_f64.safetensors, in test/data/nn and ../shared/fixtures/gan):
 * conv2d k3s1p1, k3s2p1, k4s2p1, conv_transpose2d k4s2p1, nearest
 * upsampling, batch_norm2d in train mode (with second-order products and
 * running statistics) and in eval mode.  Tolerance: 1e-10 of the tensor's
 * max |ref|, 1e-12 absolute where the reference is all zeros
 * (doc/nn-tolerances.md). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nnfix.h"
#include "vt/nn.h"

#define TOL 1e-10

static struct vt_record rec;
static struct vt_nn_graph *g;

static void setup(void)
{
	t_nnfix_ops_f64_open(&rec, &g);
}

static void teardown(void)
{
	t_nnfix_ops_f64_close(&rec, &g);
}

TestSuite(nn_ops_f64_conv, .init = setup, .fini = teardown);

static const char *nm(const char *op, const char *a, const char *b)
{
	return t_nnfix_name(op, a, b);
}

static struct vt_nn_val *in(const char *op, const char *what, bool grad)
{
	return t_nnfix_val(g, t_nnfix_get(&rec, nm(op, what, NULL)), VT_F64,
			   grad);
}

static void cmp(const char *name, const struct vt_nn_val *x)
{
	const struct vt_tensor *t = t_nnfix_get(&rec, name);
	double m = 0;

	cr_assert_not_null(x, "%s: no value", name);
	for (size_t i = 0; i < vt_tensor_numel(t); i++)
		m = fmax(m, fabs(((const double *)t->data)[i]));
	t_nnfix_cmp_val(&rec, name, x, m == 0 ? 1 : TOL, m == 0 ? 1e-12 : 0);
}

typedef struct vt_nn_val *(*build_fn)(struct vt_nn_val **x, const char *op);

/* inputs x, w, b (n of them, all differentiated): out, grad.*, and with
 * second the products s and gg.* (gg.g included) */
static void check_op(const char *op, int n, const char *const *names,
		     build_fn build, bool second)
{
	struct vt_nn_val *x[4], *gx[5], *gy, *out, *s, *gg[5];
	struct vt_err err = { 0 };

	vt_nn_graph_reset(g);
	for (int i = 0; i < n; i++)
		x[i] = in(op, names[i], true);
	out = build(x, op);
	cr_assert_eq(vt_nn_graph_status(g, &err), 0, "%s: %s", op, err.msg);
	cmp(nm(op, "out", NULL), out);
	gy = in(op, "g", second);
	cr_assert_eq(vt_nn_grad(g, 1, &out, &gy, n, x, gx, second), 0, "%s",
		     (vt_nn_graph_status(g, &err), err.msg));
	for (int i = 0; i < n; i++)
		cmp(nm(op, "grad", names[i]), gx[i]);
	if (!second)
		return;
	s = vt_nn_sum(g, vt_nn_mul(g, in(op, "g2", false), gx[0]));
	cmp(nm(op, "s", NULL), s);
	x[n] = gy;
	cr_assert_eq(vt_nn_grad(g, 1, &s, NULL, n + 1, x, gg, false), 0);
	for (int i = 0; i < n; i++)
		cmp(nm(op, "gg", names[i]), gg[i]);
	cmp(nm(op, "gg", "g"), gg[n]);
}

static const char *const xwb[] = { "x", "w", "b" };

static struct vt_nn_val *b_conv(struct vt_nn_val **x, const char *op)
{
	int stride = strstr(op, "s2") ? 2 : 1;

	return vt_nn_conv2d(g, x[0], x[1], x[2], stride, 1);
}

Test(nn_ops_f64_conv, conv2d)
{
	static const char *const ops[] = { "conv2d.k3s1p1", "conv2d.k3s2p1",
					   "conv2d.k4s2p1" };

	for (int k = 0; k < 3; k++)
		check_op(ops[k], 3, xwb, b_conv, true);
}

static struct vt_nn_val *b_convt(struct vt_nn_val **x, const char *op)
{
	(void)op;
	return vt_nn_conv_transpose2d(g, x[0], x[1], x[2], 2, 1, 0);
}

Test(nn_ops_f64_conv, conv_transpose2d)
{
	check_op("conv_transpose2d.k4s2p1", 3, xwb, b_convt, true);
}

static struct vt_nn_val *b_up(struct vt_nn_val **x, const char *op)
{
	(void)op;
	return vt_nn_upsample2x(g, x[0]);
}

Test(nn_ops_f64_conv, upsample_nearest2x)
{
	check_op("upsample_nearest2x", 1, xwb, b_up, false);
}

static struct vt_nn_val *bn_rm, *bn_rv;

static struct vt_nn_val *b_bn(struct vt_nn_val **x, const char *op)
{
	double eps = strstr(op, "eps0.8") ? 0.8 : 1e-5;
	bool train = strstr(op, ".train.") != NULL;

	bn_rm = in(op, train ? "running_mean0" : "running_mean", false);
	bn_rv = in(op, train ? "running_var0" : "running_var", false);
	return vt_nn_batch_norm2d(g, x[0], x[1], x[2], bn_rm, bn_rv, train,
				  0.1, eps);
}

Test(nn_ops_f64_conv, batch_norm2d)
{
	static const char *const ops[] = { "batch_norm2d.train.eps1e-5",
					   "batch_norm2d.train.eps0.8",
					   "batch_norm2d.eval.eps1e-5",
					   "batch_norm2d.eval.eps0.8" };

	for (int k = 0; k < 4; k++) {
		bool train = k < 2;

		/* train: first order alone runs the fused backward, with
		 * second order the recorded one */
		check_op(ops[k], 3, xwb, b_bn, false);
		if (train)
			check_op(ops[k], 3, xwb, b_bn, true);
		if (train) {
			cmp(nm(ops[k], "running_mean1", NULL), bn_rm);
			cmp(nm(ops[k], "running_var1", NULL), bn_rv);
		}
	}
}
