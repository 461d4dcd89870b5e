/* test_nn_gradcheck.c - every lib/nn op, random shapes, F64: first and
 * second derivatives against central finite differences (gradcheck.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "gradcheck.h"
#include "vt/nn.h"
#include "vt/rng.h"

#define SEEDS 3

static struct vt_rng rng;

static int64_t rd(int64_t lo, int64_t hi)
{
	return vt_rng_range(&rng, lo, hi);
}

/* one input of rank r with random extents in [lo, hi] */
static void in_rand(struct t_gc *c, int i, int r, int64_t lo, int64_t hi,
		    enum t_gc_kind k)
{
	int64_t shape[VT_NN_MAX_RANK];

	for (int d = 0; d < r; d++)
		shape[d] = rd(lo, hi);
	t_gc_input(c, i, r, shape, k);
}

static void in_like(struct t_gc *c, int i, int j, enum t_gc_kind k)
{
	t_gc_input(c, i, c->rank[j], c->shape[j], k);
}

static void run(struct t_gc *c, void (*setup)(struct t_gc *c))
{
	t_gc_run(c, setup, &rng, 77, SEEDS);
}

/* ---- unary ops ---- */

#define UNARY(NAME, KIND, EXPR) \
	static struct vt_nn_val *b_##NAME(struct vt_nn_graph *g, \
					  struct vt_nn_val **x, \
					  const struct t_gc *c) \
	{ \
		(void)c; \
		return EXPR; \
	} \
	static void s_##NAME(struct t_gc *c) \
	{ \
		in_rand(c, 0, (int)rd(1, 3), 1, 4, KIND); \
	} \
	Test(nn_gradcheck, NAME) \
	{ \
		struct t_gc c = { .name = #NAME, .second = true, \
				  .build = b_##NAME }; \
		run(&c, s_##NAME); \
	}

UNARY(neg, T_GC_NORMAL, vt_nn_neg(g, x[0]))
UNARY(scale, T_GC_NORMAL, vt_nn_scale(g, x[0], -1.75))
UNARY(add_scalar, T_GC_NORMAL, vt_nn_add_scalar(g, x[0], 0.5))
UNARY(exp, T_GC_NORMAL, vt_nn_exp(g, x[0]))
UNARY(log, T_GC_POS, vt_nn_log(g, x[0]))
UNARY(sqrt, T_GC_POS, vt_nn_sqrt(g, x[0]))
UNARY(abs, T_GC_AWAY, vt_nn_abs(g, x[0]))
UNARY(pow_frac, T_GC_POS, vt_nn_pow(g, x[0], 2.5))
UNARY(pow_int, T_GC_NORMAL, vt_nn_pow(g, x[0], 3))
UNARY(pow_neg, T_GC_POS, vt_nn_pow(g, x[0], -0.5))
UNARY(clamp, T_GC_AWAY, vt_nn_clamp(g, x[0], -0.7, 0.9))
UNARY(relu, T_GC_AWAY, vt_nn_relu(g, x[0]))
UNARY(leaky_relu, T_GC_AWAY, vt_nn_leaky_relu(g, x[0], 0.2))
UNARY(tanh, T_GC_NORMAL, vt_nn_tanh(g, x[0]))
UNARY(sigmoid, T_GC_NORMAL, vt_nn_sigmoid(g, x[0]))
UNARY(sum, T_GC_NORMAL, vt_nn_sum(g, x[0]))
UNARY(mean, T_GC_NORMAL, vt_nn_mean(g, x[0]))
UNARY(square_mean, T_GC_NORMAL,
      vt_nn_mean(g, vt_nn_mul(g, x[0], x[0])))
UNARY(sum_dim0, T_GC_NORMAL, vt_nn_sum_dim(g, x[0], 0, false))
UNARY(mean_dim_last, T_GC_NORMAL, vt_nn_mean_dim(g, x[0], -1, true))
UNARY(softmax_last, T_GC_NORMAL, vt_nn_softmax(g, x[0], -1))
UNARY(softmax_first, T_GC_NORMAL, vt_nn_softmax(g, x[0], 0))
UNARY(log_softmax_last, T_GC_NORMAL, vt_nn_log_softmax(g, x[0], -1))
UNARY(log_softmax_first, T_GC_NORMAL, vt_nn_log_softmax(g, x[0], 0))
UNARY(reshape, T_GC_NORMAL,
      vt_nn_tanh(g, vt_nn_reshape(g, x[0], 1, (int64_t[]){ -1 })))
UNARY(narrow, T_GC_NORMAL,
      vt_nn_narrow(g, vt_nn_tanh(g, x[0]), 0, 0, x[0]->shape[0] / 2 + 1))
UNARY(broadcast, T_GC_NORMAL,
      vt_nn_tanh(g, vt_nn_broadcast(g, x[0], x[0]->rank + 1,
				    (int64_t[]){ 3, x[0]->shape[0],
						 x[0]->rank > 1 ? x[0]->shape[1] : 0,
						 x[0]->rank > 2 ? x[0]->shape[2] : 0 })))
/* the norm of the gradient penalty, differentiated twice */
UNARY(l2_norm, T_GC_NORMAL,
      vt_nn_sqrt(g, vt_nn_add_scalar(g, vt_nn_sum(g, vt_nn_mul(g, x[0],
							      x[0])),
				     1e-3)))

/* ---- binary ops with broadcasting ---- */

static struct vt_nn_val *b_binop(struct vt_nn_graph *g, struct vt_nn_val **x,
				 const struct t_gc *c)
{
	switch (c->iarg[0]) {
	case 0: return vt_nn_add(g, x[0], x[1]);
	case 1: return vt_nn_sub(g, x[0], x[1]);
	case 2: return vt_nn_mul(g, x[0], x[1]);
	default: return vt_nn_div(g, x[0], x[1]);
	}
}

/* iarg[1]: 0 same shape, 1 row bias [C], 2 scalar [], 3 channel [C,1,1],
 * 4 the broadcast one on the left */
static void s_binop(struct t_gc *c)
{
	enum t_gc_kind kb = c->iarg[0] == 3 ? T_GC_AWAY : T_GC_NORMAL;

	switch (c->iarg[1]) {
	case 0:
		in_rand(c, 0, (int)rd(1, 3), 1, 4, T_GC_NORMAL);
		in_like(c, 1, 0, kb);
		break;
	case 1:
		in_rand(c, 0, 2, 1, 4, T_GC_NORMAL);
		in_rand(c, 1, 1, 1, 1, kb);
		c->shape[1][0] = c->shape[0][1];
		break;
	case 2:
		in_rand(c, 0, (int)rd(1, 3), 1, 4, T_GC_NORMAL);
		in_rand(c, 1, 0, 1, 1, kb);
		break;
	case 3:
		in_rand(c, 0, 4, 1, 3, T_GC_NORMAL);
		in_rand(c, 1, 3, 1, 1, kb);
		c->shape[1][0] = c->shape[0][1];
		break;
	default:
		in_rand(c, 1, 3, 1, 3, kb);
		in_rand(c, 0, 2, 1, 1, T_GC_NORMAL);
		c->shape[0][0] = c->shape[1][1];
		c->shape[0][1] = c->shape[1][2];
		c->shape[1][1] = 1;
		if (kb == T_GC_AWAY)
			c->kind[1] = T_GC_AWAY;
		break;
	}
}

Test(nn_gradcheck, binary_broadcast)
{
	static const char *const names[] = { "add", "sub", "mul", "div" };

	for (int op = 0; op < 4; op++)
		for (int b = 0; b < 5; b++) {
			struct t_gc c = { .name = names[op], .second = true,
					  .build = b_binop };

			c.iarg[0] = op;
			c.iarg[1] = b;
			run(&c, s_binop);
		}
}

/* ---- matrix products ---- */

static struct vt_nn_val *b_matmul(struct vt_nn_graph *g, struct vt_nn_val **x,
				  const struct t_gc *c)
{
	return vt_nn_matmul(g, x[0], x[1], c->iarg[0], c->iarg[1]);
}

static int64_t mm_m, mm_k, mm_n;

static void s_matmul_shapes(struct t_gc *c)
{
	mm_m = rd(1, 5);
	mm_k = rd(1, 5);
	mm_n = rd(1, 5);
	c->nin = 2;
	c->rank[0] = c->rank[1] = 2;
	c->shape[0][0] = c->iarg[0] ? mm_k : mm_m;
	c->shape[0][1] = c->iarg[0] ? mm_m : mm_k;
	c->shape[1][0] = c->iarg[1] ? mm_n : mm_k;
	c->shape[1][1] = c->iarg[1] ? mm_k : mm_n;
}

Test(nn_gradcheck, matmul_transposes)
{
	for (int t = 0; t < 4; t++) {
		struct t_gc c = { .name = "matmul", .second = true,
				  .build = b_matmul };

		c.iarg[0] = t & 1;
		c.iarg[1] = t >> 1;
		run(&c, s_matmul_shapes);
	}
}

static struct vt_nn_val *b_linear(struct vt_nn_graph *g, struct vt_nn_val **x,
				  const struct t_gc *c)
{
	/* a nonlinearity after, so the second order is not all zero */
	return vt_nn_tanh(g, vt_nn_linear(g, x[0], x[1],
					  c->nin > 2 ? x[2] : NULL));
}

static void s_linear(struct t_gc *c)
{
	int64_t n = rd(1, 5), in = rd(1, 6), out = rd(1, 5);

	in_rand(c, 0, 2, 1, 1, T_GC_NORMAL);
	c->shape[0][0] = n;
	c->shape[0][1] = in;
	in_rand(c, 1, 2, 1, 1, T_GC_NORMAL);
	c->shape[1][0] = out;
	c->shape[1][1] = in;
	if (c->iarg[0]) {
		in_rand(c, 2, 1, 1, 1, T_GC_NORMAL);
		c->shape[2][0] = out;
	}
}

Test(nn_gradcheck, linear)
{
	for (int b = 0; b < 2; b++) {
		struct t_gc c = { .name = "linear", .second = true,
				  .build = b_linear };

		c.iarg[0] = b;
		run(&c, s_linear);
	}
}

static struct vt_nn_val *b_linear_plain(struct vt_nn_graph *g,
					struct vt_nn_val **x,
					const struct t_gc *c)
{
	(void)c;
	return vt_nn_linear(g, x[0], x[1], x[2]);
}

Test(nn_gradcheck, linear_plain)
{
	struct t_gc c = { .name = "linear_plain", .second = true,
			  .build = b_linear_plain };

	c.iarg[0] = 1;
	run(&c, s_linear);
}

/* ---- shapes and indexing ---- */

static struct vt_nn_val *b_concat(struct vt_nn_graph *g, struct vt_nn_val **x,
				  const struct t_gc *c)
{
	return vt_nn_tanh(g, vt_nn_concat(g, 3, x, (int)c->iarg[0]));
}

static void s_concat(struct t_gc *c)
{
	int dim = (int)c->iarg[0];

	in_rand(c, 0, 3, 1, 3, T_GC_NORMAL);
	in_like(c, 1, 0, T_GC_NORMAL);
	in_like(c, 2, 0, T_GC_NORMAL);
	c->shape[1][dim] = rd(1, 3);
	c->shape[2][dim] = rd(1, 3);
}

Test(nn_gradcheck, concat)
{
	for (int d = 0; d < 3; d++) {
		struct t_gc c = { .name = "concat", .second = true,
				  .build = b_concat };

		c.iarg[0] = d;
		run(&c, s_concat);
	}
}

static struct vt_nn_val *b_embedding(struct vt_nn_graph *g,
				     struct vt_nn_val **x, const struct t_gc *c)
{
	(void)c;
	return vt_nn_tanh(g, vt_nn_embedding(g, x[1], x[0]));
}

static void s_embedding(struct t_gc *c)
{
	in_rand(c, 0, 2, 1, 5, T_GC_NORMAL);
	in_rand(c, 1, (int)rd(1, 2), 1, 4, T_GC_INDEX);
	c->hi[1] = c->shape[0][0];
}

Test(nn_gradcheck, embedding)
{
	struct t_gc c = { .name = "embedding", .second = true,
			  .build = b_embedding };

	run(&c, s_embedding);
}

/* ---- losses ---- */

static struct vt_nn_val *b_loss(struct vt_nn_graph *g, struct vt_nn_val **x,
				const struct t_gc *c)
{
	switch (c->iarg[0]) {
	case 0: return vt_nn_bce(g, x[0], x[1]);
	case 1: return vt_nn_bce_logits(g, x[0], x[1]);
	case 2: return vt_nn_mse(g, x[0], x[1]);
	case 3: return vt_nn_l1(g, x[0], x[1]);
	default: return vt_nn_cross_entropy(g, x[0], x[1]);
	}
}

static void s_loss(struct t_gc *c)
{
	switch (c->iarg[0]) {
	case 0:
		in_rand(c, 0, (int)rd(1, 2), 1, 4, T_GC_UNIT);
		in_like(c, 1, 0, T_GC_UNIT);
		break;
	case 4:
		in_rand(c, 0, 2, 1, 5, T_GC_NORMAL);
		in_rand(c, 1, 1, 1, 1, T_GC_INDEX);
		c->shape[1][0] = c->shape[0][0];
		c->hi[1] = c->shape[0][1];
		break;
	default:
		in_rand(c, 0, (int)rd(1, 2), 1, 4, T_GC_NORMAL);
		in_like(c, 1, 0, T_GC_NORMAL);
		break;
	}
}

Test(nn_gradcheck, losses)
{
	static const char *const names[] = { "bce", "bce_logits", "mse", "l1",
					     "cross_entropy" };

	for (int k = 0; k < 5; k++) {
		/* l1 is piecewise linear in x - t: its second order is 0 and
		 * numeric differences near a tie are meaningless */
		struct t_gc c = { .name = names[k], .second = k != 3,
				  .build = b_loss };

		c.iarg[0] = k;
		run(&c, s_loss);
	}
}

/* ---- normalisation and dropout ---- */

static struct vt_nn_val *b_bn(struct vt_nn_graph *g, struct vt_nn_val **x,
			      const struct t_gc *c)
{
	int64_t C = x[0]->shape[1];
	struct vt_nn_val *rm = vt_nn_full(g, VT_F64, 1, &C, 0.1);
	struct vt_nn_val *rv = vt_nn_full(g, VT_F64, 1, &C, 1.5);

	/* tanh after: the gradient of a plain BN output summed is ~0;
	 * iarg[2]: without weight and bias */
	return vt_nn_tanh(g, vt_nn_batch_norm(g, x[0],
					      c->iarg[2] ? NULL : x[1],
					      c->iarg[2] ? NULL : x[2], rm, rv,
					      c->iarg[0], 0.1, c->farg[0]));
}

static void s_bn(struct t_gc *c)
{
	in_rand(c, 0, (int)c->iarg[1], 2, 4, T_GC_NORMAL);
	in_rand(c, 1, 1, 1, 1, T_GC_NORMAL);
	c->shape[1][0] = c->shape[0][1];
	in_like(c, 2, 1, T_GC_NORMAL);
}

Test(nn_gradcheck, batch_norm)
{
	/* train and eval, eps 1e-5 and 0.8, [N,C] and [N,C,H,W], with and
	 * without weight and bias */
	for (int k = 0; k < 16; k++) {
		struct t_gc c = { .name = "batch_norm", .second = true,
				  .build = b_bn };

		c.iarg[0] = k & 1;
		c.farg[0] = k & 2 ? 0.8 : 1e-5;
		c.iarg[1] = k & 4 ? 4 : 2;
		c.iarg[2] = k >> 3;
		run(&c, s_bn);
	}
}

static struct vt_nn_val *b_dropout(struct vt_nn_graph *g, struct vt_nn_val **x,
				   const struct t_gc *c)
{
	struct vt_rng r;

	(void)c;
	vt_rng_seed(&r, 5, 0);   /* the same mask at every evaluation */
	return vt_nn_tanh(g, vt_nn_dropout(g, x[0], 0.4, true, &r));
}

static void s_dropout(struct t_gc *c)
{
	in_rand(c, 0, 2, 2, 5, T_GC_NORMAL);
}

Test(nn_gradcheck, dropout)
{
	struct t_gc c = { .name = "dropout", .second = true,
			  .build = b_dropout };

	run(&c, s_dropout);
}

/* a small critic with a gradient penalty: the WGAN-GP pattern end to end,
 * differentiated once more by the harness (third order overall) */
static struct vt_nn_val *b_gp(struct vt_nn_graph *g, struct vt_nn_val **x,
			      const struct t_gc *c)
{
	struct vt_nn_val *h, *d, *gr, *norm;

	(void)c;
	h = vt_nn_leaky_relu(g, vt_nn_linear(g, x[0], x[1], x[2]), 0.2);
	h = vt_nn_tanh(g, h);
	d = vt_nn_sum(g, h);
	vt_nn_grad(g, 1, &d, NULL, 1, &x[0], &gr, true);
	norm = vt_nn_sqrt(g, vt_nn_sum_dim(g, vt_nn_mul(g, gr, gr), 1, false));
	return vt_nn_mean(g, vt_nn_pow(g, vt_nn_add_scalar(g, norm, -1), 2));
}

static void s_gp(struct t_gc *c)
{
	int64_t n = rd(2, 4), in = rd(2, 5), out = rd(2, 4);

	in_rand(c, 0, 2, 1, 1, T_GC_NORMAL);
	c->shape[0][0] = n;
	c->shape[0][1] = in;
	in_rand(c, 1, 2, 1, 1, T_GC_NORMAL);
	c->shape[1][0] = out;
	c->shape[1][1] = in;
	in_rand(c, 2, 1, 1, 1, T_GC_NORMAL);
	c->shape[2][0] = out;
}

Test(nn_gradcheck, gradient_penalty)
{
	struct t_gc c = { .name = "gradient_penalty", .second = true,
			  .build = b_gp };

	run(&c, s_gp);
}
