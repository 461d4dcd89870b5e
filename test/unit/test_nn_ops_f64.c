/* test_nn_ops_f64.c - single ops against PyTorch in float64
 * (ops_f64.safetensors of ../shared/fixtures/gan, copied unchanged into
 * test/data/nn): outputs, gradients, second-order products, and the
 * optimiser traces.  Tolerance: 1e-10 of the tensor's max |ref|, 1e-12
 * absolute where the reference is all zeros (doc/nn-tolerances.md). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nnfix.h"
#include "vt/nn.h"
#include "vt/nn_optim.h"

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

TestSuite(nn_ops_f64, .init = setup, .fini = teardown);

static const char *nm3(const char *op, const char *a, const char *b)
{
	return t_nnfix_name(op, a, b);
}

static const char *nm(const char *op, const char *what)
{
	return nm3(op, what, NULL);
}

static struct vt_nn_val *in(const char *op, const char *what, bool grad)
{
	return t_nnfix_val(g, t_nnfix_get(&rec, nm(op, what)), VT_F64, grad);
}

static void cmp(const char *name, const struct vt_nn_val *x)
{
	/* 1e-10 of max |ref|; an all-zero reference allows 1e-12 */
	const struct vt_tensor *t = t_nnfix_get(&rec, name);
	double m = 0;

	for (size_t i = 0; i < vt_tensor_numel(t); i++)
		m = fmax(m, fabs(((const double *)t->data)[i]));
	t_nnfix_cmp_val(&rec, name, x, m == 0 ? 1 : TOL, m == 0 ? 1e-12 : 0);
}

typedef struct vt_nn_val *(*build_fn)(struct vt_nn_val **x, const char *op);

/*
 * Run op on inputs names[0..n) (those in `grads` differentiated), compare
 * out and grad.<input>; with second, also s and gg.<input>, gg.g.
 */
static void check_op(const char *op, int n, const char *const *names,
		     const bool *grads, build_fn build, bool second)
{
	struct vt_nn_val *x[6], *ins[7], *gx[7], *gy, *out, *s, *gg[7];
	struct vt_err err = { 0 };
	int m = 0, map[6];

	vt_nn_graph_reset(g);
	for (int i = 0; i < n; i++)
		x[i] = in(op, names[i], grads[i]);
	out = build(x, op);
	cmp(nm(op, "out"), out);
	gy = in(op, "g", second);
	for (int i = 0; i < n; i++)
		if (grads[i]) {
			map[i] = m;
			ins[m++] = x[i];
		}
	cr_assert_eq(vt_nn_grad(g, 1, &out, &gy, m, ins, gx, second), 0,
		     "%s", (vt_nn_graph_status(g, &err), err.msg));
	for (int i = 0; i < n; i++)
		if (grads[i])
			cmp(nm3(op, "grad", names[i]), gx[map[i]]);
	if (!second)
		return;
	s = vt_nn_sum(g, vt_nn_mul(g, in(op, "g2", false), gx[0]));
	cmp(nm(op, "s"), s);
	ins[m] = gy;
	cr_assert_eq(vt_nn_grad(g, 1, &s, NULL, m + 1, ins, gg, false), 0);
	for (int i = 0; i < n; i++)
		if (grads[i])
			cmp(nm3(op, "gg", names[i]), gg[map[i]]);
	cmp(nm(op, "gg.g"), gg[m]);
}

static struct vt_nn_val *b_linear(struct vt_nn_val **x, const char *op)
{
	(void)op;
	return vt_nn_linear(g, x[0], x[1], x[2]);
}

Test(nn_ops_f64, linear)
{
	static const char *const n[] = { "x", "w", "b" };
	static const bool d[] = { true, true, true };

	check_op("linear", 3, n, d, b_linear, true);
}

static struct vt_nn_val *b_unary(struct vt_nn_val **x, const char *op)
{
	if (!strcmp(op, "leaky_relu"))
		return vt_nn_leaky_relu(g, x[0], 0.2);
	if (!strcmp(op, "tanh"))
		return vt_nn_tanh(g, x[0]);
	if (!strcmp(op, "sigmoid"))
		return vt_nn_sigmoid(g, x[0]);
	return vt_nn_log_softmax(g, x[0], 1);
}

Test(nn_ops_f64, activations_second_order)
{
	static const char *const n[] = { "x" };
	static const bool d[] = { true };

	check_op("leaky_relu", 1, n, d, b_unary, true);
	check_op("tanh", 1, n, d, b_unary, true);
	check_op("sigmoid", 1, n, d, b_unary, true);
	check_op("log_softmax", 1, n, d, b_unary, false);
}

static struct vt_nn_val *b_embedding(struct vt_nn_val **x, const char *op)
{
	(void)op;
	return vt_nn_embedding(g, x[1], x[0]);
}

Test(nn_ops_f64, embedding)
{
	static const char *const n[] = { "weight", "idx" };
	static const bool d[] = { true, false };

	check_op("embedding", 2, n, d, b_embedding, false);
}

static struct vt_nn_val *b_loss(struct vt_nn_val **x, const char *op)
{
	if (!strncmp(op, "bce_with", 8))
		return vt_nn_bce_logits(g, x[0], x[1]);
	if (!strncmp(op, "bce", 3))
		return vt_nn_bce(g, x[0], x[1]);
	if (!strcmp(op, "mse"))
		return vt_nn_mse(g, x[0], x[1]);
	if (!strcmp(op, "l1"))
		return vt_nn_l1(g, x[0], x[1]);
	return vt_nn_cross_entropy(g, x[0], x[1]);
}

Test(nn_ops_f64, losses)
{
	static const char *const n[] = { "x", "target" };
	static const bool x_only[] = { true, false };
	static const bool both[] = { true, true };

	check_op("bce", 2, n, x_only, b_loss, false);
	check_op("bce_edge", 2, n, x_only, b_loss, false);
	check_op("bce_with_logits", 2, n, both, b_loss, false);
	check_op("mse", 2, n, both, b_loss, false);
	check_op("l1", 2, n, both, b_loss, false);
	check_op("cross_entropy", 2, n, x_only, b_loss, false);
}

static const char *bn_op;
static struct vt_nn_val *bn_rm, *bn_rv;

static struct vt_nn_val *b_bn(struct vt_nn_val **x, const char *op)
{
	double eps = strstr(op, "eps0.8") ? 0.8 : 1e-5;
	bool train = strstr(op, ".train.") != NULL;

	bn_rm = in(op, train ? "running_mean0" : "running_mean", false);
	bn_rv = in(op, train ? "running_var0" : "running_var", false);
	return vt_nn_batch_norm(g, x[0], x[1], x[2], bn_rm, bn_rv, train, 0.1,
				eps);
}

Test(nn_ops_f64, batch_norm1d_train)
{
	static const char *const n[] = { "x", "w", "b" };
	static const bool d[] = { true, true, true };
	static const char *const ops[] = { "batch_norm1d.train.eps1e-5",
					   "batch_norm1d.train.eps0.8" };

	for (int k = 0; k < 2; k++) {
		bn_op = ops[k];
		check_op(bn_op, 3, n, d, b_bn, false);
		cmp(nm(bn_op, "running_mean1"), bn_rm);
		cmp(nm(bn_op, "running_var1"), bn_rv);
	}
}

Test(nn_ops_f64, batch_norm2d)
{
	static const char *const n[] = { "x", "w", "b" };
	static const bool d[] = { true, true, true };
	static const char *const train[] = { "batch_norm2d.train.eps1e-5",
					     "batch_norm2d.train.eps0.8" };
	static const char *const eval[] = { "batch_norm2d.eval.eps1e-5",
					    "batch_norm2d.eval.eps0.8" };

	for (int k = 0; k < 2; k++) {
		bn_op = train[k];
		check_op(bn_op, 3, n, d, b_bn, true);
		cmp(nm(bn_op, "running_mean1"), bn_rm);
		cmp(nm(bn_op, "running_var1"), bn_rv);
		bn_op = eval[k];
		check_op(bn_op, 3, n, d, b_bn, false);
	}
}

/* optimiser traces: p0 and g1..g3 -> p1..p3 and the final state */
static void trace(const char *name, struct vt_nn_optim_cfg cfg,
		  const char *st1, const char *st2)
{
	const struct vt_tensor *p0 = t_nnfix_get(&rec, "optim.p0");
	struct vt_nn_val *p = t_nnfix_param(p0, VT_F64, "p");
	struct vt_nn_optim o;
	struct vt_err err = { 0 };
	char b[128];

	cr_assert_eq(vt_nn_optim_init(&o, &cfg, 1, &p, &err), 0);
	for (int s = 1; s <= 3; s++) {
		const struct vt_tensor *gr;

		snprintf(b, sizeof b, "optim.g%d", s);
		gr = t_nnfix_get(&rec, b);
		memcpy(p->grad, gr->data, p->numel * sizeof(double));
		vt_nn_optim_step(&o);
		snprintf(b, sizeof b, "optim.%s.p%d", name, s);
		t_nnfix_cmp(&rec, b, VT_F64, p->data, p->numel, 4, 1e-15, 0,
			    1e-15);
	}
	snprintf(b, sizeof b, "optim.%s.%s", name, st1);
	t_nnfix_cmp(&rec, b, VT_F64, o.state1[0], p->numel, 4, 1e-15, 0,
		    1e-15);
	if (st2) {
		snprintf(b, sizeof b, "optim.%s.%s", name, st2);
		t_nnfix_cmp(&rec, b, VT_F64, o.state2[0], p->numel, 4, 1e-15,
			    0, 1e-15);
	}
	vt_nn_optim_release(&o);
	vt_nn_param_free(p);
}

Test(nn_ops_f64, optimiser_traces)
{
	struct vt_nn_optim_cfg c;

	c = vt_nn_optim_defaults(VT_NN_ADAM, 2e-4);
	c.beta1 = 0.5;
	trace("adam", c, "exp_avg", "exp_avg_sq");
	c.weight_decay = 0.01;
	trace("adam_wd", c, "exp_avg", "exp_avg_sq");
	c = vt_nn_optim_defaults(VT_NN_RMSPROP, 5e-5);
	trace("rmsprop", c, "square_avg", NULL);
	c = vt_nn_optim_defaults(VT_NN_SGD, 0.01);
	c.momentum = 0.9;
	trace("sgd_momentum", c, "momentum_buffer", NULL);
}
