/* test_nn_gradcheck_conv.c - the convolution family and the per-channel
 * ops (op_conv.c, op_norm2d.c), random shapes (odd sizes, stride 2,
 * padding), F64: first and second derivatives against central finite
 * differences (gradcheck.c). */
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

static void in4(struct t_gc *c, int i, int64_t a, int64_t b, int64_t h,
		int64_t w, enum t_gc_kind k)
{
	t_gc_input(c, i, 4, (int64_t[]){ a, b, h, w }, k);
}

static void in1(struct t_gc *c, int i, int64_t n, enum t_gc_kind k)
{
	t_gc_input(c, i, 1, &n, k);
}

static void run(struct t_gc *c, void (*setup)(struct t_gc *c))
{
	t_gc_run(c, setup, &rng, 91, SEEDS);
}

/* iarg: [0] stride, [1] padding, [2] kernel, [3] bias / output padding;
 * drawn per seed by the setup */
static void draw_geometry(struct t_gc *c)
{
	c->iarg[0] = rd(1, 2);
	c->iarg[2] = rd(1, 3);
	c->iarg[1] = rd(0, c->iarg[2] - 1 < 1 ? c->iarg[2] - 1 : 1);
}

/* ---- conv2d ---- */

static struct vt_nn_val *b_conv(struct vt_nn_graph *g, struct vt_nn_val **x,
				const struct t_gc *c)
{
	struct vt_nn_val *y = vt_nn_conv2d(g, x[0], x[1],
					   c->nin > 2 ? x[2] : NULL,
					   (int)c->iarg[0], (int)c->iarg[1]);

	return c->farg[0] ? vt_nn_tanh(g, y) : y;
}

static void s_conv(struct t_gc *c)
{
	int64_t k;

	draw_geometry(c);
	k = c->iarg[2];
	in4(c, 0, rd(1, 2), rd(1, 3), rd(k, 6), rd(k, 7), T_GC_NORMAL);
	/* 1-2 output channels: the direct loops; 3-4: im2col and gemm */
	in4(c, 1, rd(1, 4), c->shape[0][1], k, k, T_GC_NORMAL);
	if (c->iarg[3])
		in1(c, 2, c->shape[1][0], T_GC_NORMAL);
}

Test(nn_gradcheck_conv, conv2d)
{
	for (int v = 0; v < 4; v++) {
		struct t_gc c = { .name = "conv2d", .second = true,
				  .build = b_conv };

		c.farg[0] = v & 1;    /* tanh after */
		for (int s = 1; s <= SEEDS; s++) {
			vt_rng_seed(&rng, (uint64_t)(s + 10 * v), 92);
			c.iarg[3] = v >> 1;   /* bias */
			memset(c.rank, 0, sizeof c.rank);
			c.nin = 0;
			s_conv(&c);
			t_gradcheck(&c, (uint64_t)s);
		}
	}
}

/* a fixed geometry: kernel 4, stride 2, padding 1 (the PatchGAN layers) */
static void s_conv_k4s2(struct t_gc *c)
{
	c->iarg[0] = 2;
	c->iarg[1] = 1;
	c->iarg[2] = 4;
	in4(c, 0, 2, 2, rd(4, 7), rd(4, 7), T_GC_NORMAL);
	in4(c, 1, 2, 2, 4, 4, T_GC_NORMAL);
	in1(c, 2, 2, T_GC_NORMAL);
	c->iarg[3] = 1;
}

Test(nn_gradcheck_conv, conv2d_k4s2p1)
{
	struct t_gc c = { .name = "conv2d_k4s2p1", .second = true,
			  .build = b_conv };

	c.farg[0] = 1;
	run(&c, s_conv_k4s2);
}

/* ---- conv_transpose2d ---- */

static struct vt_nn_val *b_convt(struct vt_nn_graph *g, struct vt_nn_val **x,
				 const struct t_gc *c)
{
	struct vt_nn_val *y = vt_nn_conv_transpose2d(g, x[0], x[1],
						     c->nin > 2 ? x[2] : NULL,
						     (int)c->iarg[0],
						     (int)c->iarg[1],
						     (int)c->iarg[3]);

	return c->farg[0] ? vt_nn_tanh(g, y) : y;
}

static void s_convt(struct t_gc *c)
{
	int64_t k;

	draw_geometry(c);
	k = c->iarg[2];
	c->iarg[3] = rd(0, c->iarg[0] - 1);   /* output padding */
	in4(c, 0, rd(1, 2), rd(1, 4), rd(1, 4), rd(1, 5), T_GC_NORMAL);
	in4(c, 1, c->shape[0][1], rd(1, 3), k, k, T_GC_NORMAL);
	if (c->farg[1])
		in1(c, 2, c->shape[1][1], T_GC_NORMAL);
}

Test(nn_gradcheck_conv, conv_transpose2d)
{
	for (int v = 0; v < 4; v++) {
		struct t_gc c = { .name = "conv_transpose2d", .second = true,
				  .build = b_convt };

		c.farg[0] = v & 1;
		c.farg[1] = v >> 1;
		run(&c, s_convt);
	}
}

static void s_convt_k4s2(struct t_gc *c)
{
	c->iarg[0] = 2;
	c->iarg[1] = 1;
	c->iarg[3] = rd(0, 1);
	in4(c, 0, 2, 2, rd(1, 4), rd(1, 4), T_GC_NORMAL);
	in4(c, 1, 2, 2, 4, 4, T_GC_NORMAL);
	in1(c, 2, 2, T_GC_NORMAL);
}

Test(nn_gradcheck_conv, conv_transpose2d_k4s2p1)
{
	struct t_gc c = { .name = "conv_transpose2d_k4s2p1", .second = true,
			  .build = b_convt };

	c.farg[0] = 1;
	run(&c, s_convt_k4s2);
}

/* ---- the weight gradient ---- */

static struct vt_nn_val *b_wgrad(struct vt_nn_graph *g, struct vt_nn_val **x,
				 const struct t_gc *c)
{
	return vt_nn_tanh(g, vt_nn_conv2d_wgrad(g, x[0], x[1], (int)c->iarg[2],
						(int)c->iarg[2],
						(int)c->iarg[0],
						(int)c->iarg[1]));
}

static void s_wgrad(struct t_gc *c)
{
	int64_t k, h, w;

	draw_geometry(c);
	k = c->iarg[2];
	h = rd(k, 6);
	w = rd(k, 6);
	in4(c, 1, rd(1, 2), rd(1, 3), h, w, T_GC_NORMAL);
	in4(c, 0, c->shape[1][0], rd(1, 4),
	    (h + 2 * c->iarg[1] - k) / c->iarg[0] + 1,
	    (w + 2 * c->iarg[1] - k) / c->iarg[0] + 1, T_GC_NORMAL);
}

Test(nn_gradcheck_conv, conv2d_wgrad)
{
	struct t_gc c = { .name = "conv2d_wgrad", .second = true,
			  .build = b_wgrad };

	run(&c, s_wgrad);
}

/* ---- upsampling, pooling, channel ops ---- */

static struct vt_nn_val *b_unary(struct vt_nn_graph *g, struct vt_nn_val **x,
				 const struct t_gc *c)
{
	struct vt_nn_val *y;

	switch (c->iarg[0]) {
	case 0:
		y = vt_nn_upsample2x(g, x[0]);
		break;
	case 1:
		y = vt_nn_sumpool2x(g, x[0]);
		break;
	case 2:
		y = vt_nn_channel_sum(g, x[0]);
		break;
	default:
		y = vt_nn_channel_broadcast(g, vt_nn_channel_sum(g, x[0]),
					    x[0]->rank, x[0]->shape);
		break;
	}
	return vt_nn_tanh(g, y);
}

static void s_unary(struct t_gc *c)
{
	if (c->iarg[0] == 1)
		in4(c, 0, rd(1, 2), rd(1, 3), 2 * rd(1, 3), 2 * rd(1, 3),
		    T_GC_NORMAL);
	else
		in4(c, 0, rd(1, 2), rd(1, 3), rd(1, 3), rd(1, 4), T_GC_NORMAL);
}

Test(nn_gradcheck_conv, upsample_pool_channel)
{
	static const char *const names[] = { "upsample2x", "sumpool2x",
					     "channel_sum",
					     "channel_broadcast" };

	for (int k = 0; k < 4; k++) {
		struct t_gc c = { .name = names[k], .second = true,
				  .build = b_unary };

		c.iarg[0] = k;
		run(&c, s_unary);
	}
}

static struct vt_nn_val *b_affine(struct vt_nn_graph *g, struct vt_nn_val **x,
				  const struct t_gc *c)
{
	struct vt_nn_val *a = c->iarg[0] & 1 ? x[1] : NULL;
	struct vt_nn_val *b = c->iarg[0] & 2 ? x[2] : NULL;

	return vt_nn_tanh(g, vt_nn_channel_affine(g, x[0], a, b));
}

static void s_affine(struct t_gc *c)
{
	in4(c, 0, rd(1, 2), rd(1, 3), rd(1, 3), rd(1, 4), T_GC_NORMAL);
	in1(c, 1, c->shape[0][1], T_GC_NORMAL);
	in1(c, 2, c->shape[0][1], T_GC_NORMAL);
}

Test(nn_gradcheck_conv, channel_affine)
{
	for (int k = 1; k < 4; k++) {
		struct t_gc c = { .name = "channel_affine", .second = true,
				  .build = b_affine };

		c.iarg[0] = k;
		run(&c, s_affine);
	}
}

/* ---- batch_norm2d ---- */

static struct vt_nn_val *b_bn2d(struct vt_nn_graph *g, struct vt_nn_val **x,
				const struct t_gc *c)
{
	int64_t C = x[0]->shape[1];
	struct vt_nn_val *rm = vt_nn_full(g, VT_F64, 1, &C, 0.1);
	struct vt_nn_val *rv = vt_nn_full(g, VT_F64, 1, &C, 1.5);
	bool affine = c->iarg[1];

	/* tanh after: the gradient of a plain BN output summed is ~0 */
	return vt_nn_tanh(g, vt_nn_batch_norm2d(g, x[0],
						affine ? x[1] : NULL,
						affine ? x[2] : NULL, rm, rv,
						c->iarg[0], 0.1, c->farg[0]));
}

static void s_bn2d(struct t_gc *c)
{
	in4(c, 0, rd(1, 3), rd(1, 3), rd(1, 3), rd(2, 3), T_GC_NORMAL);
	if (c->iarg[1]) {
		in1(c, 1, c->shape[0][1], T_GC_NORMAL);
		in1(c, 2, c->shape[0][1], T_GC_NORMAL);
	}
}

Test(nn_gradcheck_conv, batch_norm2d)
{
	for (int k = 0; k < 8; k++) {
		struct t_gc c = { .name = "batch_norm2d", .second = true,
				  .build = b_bn2d };

		c.iarg[0] = k < 4;              /* train, eval */
		c.iarg[1] = !(k & 2);           /* with weight and bias */
		c.farg[0] = k & 1 ? 0.8 : 1e-5;
		run(&c, s_bn2d);
	}
}

/* ---- dropout2d ---- */

static struct vt_nn_val *b_dropout2d(struct vt_nn_graph *g,
				     struct vt_nn_val **x, const struct t_gc *c)
{
	struct vt_rng r;

	(void)c;
	vt_rng_seed(&r, 5, 0);   /* the same mask at every evaluation */
	return vt_nn_tanh(g, vt_nn_dropout2d(g, x[0], 0.4, true, &r));
}

static void s_dropout2d(struct t_gc *c)
{
	in4(c, 0, rd(2, 3), rd(2, 4), rd(1, 3), rd(1, 3), T_GC_NORMAL);
}

Test(nn_gradcheck_conv, dropout2d)
{
	struct t_gc c = { .name = "dropout2d", .second = true,
			  .build = b_dropout2d };

	run(&c, s_dropout2d);
}

/* ---- a DRAGAN-style penalty through conv, BN2d (train) and LeakyReLU,
 * differentiated once more by the harness ---- */

static struct vt_nn_val *b_penalty(struct vt_nn_graph *g, struct vt_nn_val **x,
				   const struct t_gc *c)
{
	struct vt_nn_val *h, *d, *gr, *norm;
	int64_t n = x[0]->shape[0];

	(void)c;
	h = vt_nn_conv2d(g, x[0], x[1], x[2], 2, 1);
	h = vt_nn_leaky_relu(g, h, 0.2);
	h = vt_nn_batch_norm2d(g, h, NULL, NULL, NULL, NULL, true, 0.1, 0.8);
	h = vt_nn_upsample2x(g, h);
	h = vt_nn_tanh(g, h);
	d = vt_nn_sum(g, h);
	vt_nn_grad(g, 1, &d, NULL, 1, &x[0], &gr, true);
	gr = vt_nn_reshape(g, gr, 2, (int64_t[]){ n, -1 });
	norm = vt_nn_sqrt(g, vt_nn_sum_dim(g, vt_nn_mul(g, gr, gr), 1, false));
	return vt_nn_mean(g, vt_nn_pow(g, vt_nn_add_scalar(g, norm, -1), 2));
}

static void s_penalty(struct t_gc *c)
{
	in4(c, 0, 2, 2, rd(3, 5), rd(3, 5), T_GC_NORMAL);
	in4(c, 1, 2, 2, 3, 3, T_GC_NORMAL);
	in1(c, 2, 2, T_GC_NORMAL);
}

Test(nn_gradcheck_conv, conv_bn_penalty)
{
	struct t_gc c = { .name = "conv_bn_penalty", .second = true,
			  .build = b_penalty };

	run(&c, s_penalty);
}

/* ---- upsample x2 + 3x3 conv, fused as four 2x2 phase convolutions ---- */

static struct vt_nn_val *b_upconv(struct vt_nn_graph *g, struct vt_nn_val **x,
				  const struct t_gc *c)
{
	struct vt_nn_val *y = vt_nn_upsample2x_conv2d(g, x[0], x[1],
						      c->nin > 2 ? x[2] : NULL,
						      1, 1);

	return c->farg[0] ? vt_nn_tanh(g, y) : y;
}

static void s_upconv(struct t_gc *c)
{
	in4(c, 0, rd(1, 2), rd(1, 3), rd(1, 3), rd(1, 4), T_GC_NORMAL);
	in4(c, 1, rd(1, 3), c->shape[0][1], 3, 3, T_GC_NORMAL);
	if (c->iarg[0])
		in1(c, 2, c->shape[1][0], T_GC_NORMAL);
}

Test(nn_gradcheck_conv, upsample2x_conv2d)
{
	for (int v = 0; v < 4; v++) {
		struct t_gc c = { .name = "upsample2x_conv2d", .second = true,
				  .build = b_upconv };

		c.iarg[0] = v >> 1;
		c.farg[0] = v & 1;
		run(&c, s_upconv);
	}
}

/* the fused form equals conv2d(upsample2x(x)) */
Test(nn_gradcheck_conv, upsample2x_conv2d_equals_composition)
{
	struct vt_nn_graph *g;
	struct vt_err err = { 0 };
	struct vt_nn_val *x, *w, *b, *y1, *y2;
	double m = 0;

	cr_assert_eq(vt_nn_graph_new(&g, &err), 0);
	vt_rng_seed(&rng, 4, 4);
	x = vt_nn_new(g, VT_F64, 4, (int64_t[]){ 3, 5, 7, 6 });
	w = vt_nn_new(g, VT_F64, 4, (int64_t[]){ 4, 5, 3, 3 });
	b = vt_nn_new(g, VT_F64, 1, (int64_t[]){ 4 });
	for (size_t i = 0; i < x->numel; i++)
		((double *)x->data)[i] = vt_rng_normal(&rng);
	for (size_t i = 0; i < w->numel; i++)
		((double *)w->data)[i] = vt_rng_normal(&rng);
	for (size_t i = 0; i < b->numel; i++)
		((double *)b->data)[i] = vt_rng_normal(&rng);
	y1 = vt_nn_upsample2x_conv2d(g, x, w, b, 1, 1);
	y2 = vt_nn_conv2d(g, vt_nn_upsample2x(g, x), w, b, 1, 1);
	cr_assert_eq(vt_nn_graph_status(g, &err), 0, "%s", err.msg);
	cr_assert(vt_nn_same_shape(y1, y2));
	for (size_t i = 0; i < y1->numel; i++)
		m = fmax(m, fabs(vt_nn_get(y1, i) - vt_nn_get(y2, i)));
	cr_assert(m < 1e-12, "max difference %g", m);
	vt_nn_graph_free(g);
}

/* a training step of convolutions allocates nothing after the first:
 * the arena and the im2col scratch keep their memory */
Test(nn_gradcheck_conv, steps_allocate_nothing_after_the_first)
{
	struct vt_nn_graph *g;
	struct vt_err err = { 0 };
	struct vt_nn_val *w1, *b1, *w2, *w3, *bw, *bb, *ps[6];
	size_t mallocs = 0, bytes = 0;

	cr_assert_eq(vt_nn_graph_new(&g, &err), 0);
	w1 = vt_nn_param_new(VT_F32, 4, (int64_t[]){ 8, 4, 3, 3 }, "w1");
	b1 = vt_nn_param_new(VT_F32, 1, (int64_t[]){ 8 }, "b1");
	w2 = vt_nn_param_new(VT_F32, 4, (int64_t[]){ 6, 8, 3, 3 }, "w2");
	w3 = vt_nn_param_new(VT_F32, 4, (int64_t[]){ 1, 6, 3, 3 }, "w3");
	bw = vt_nn_param_new(VT_F32, 1, (int64_t[]){ 6 }, "bw");
	bb = vt_nn_param_new(VT_F32, 1, (int64_t[]){ 6 }, "bb");
	ps[0] = w1, ps[1] = b1, ps[2] = w2, ps[3] = w3, ps[4] = bw, ps[5] = bb;
	for (int i = 0; i < 6; i++)
		for (size_t k = 0; k < ps[i]->numel; k++)
			((float *)ps[i]->data)[k] = (float)(0.1 * (double)(k % 7) -
							    0.3);
	for (int step = 0; step < 3; step++) {
		struct vt_nn_val *x, *h, *loss;

		vt_nn_graph_reset(g);
		x = vt_nn_full(g, VT_F32, 4, (int64_t[]){ 5, 4, 9, 7 }, 0.5);
		h = vt_nn_conv2d(g, x, w1, b1, 2, 1);
		h = vt_nn_upsample2x_conv2d(g, h, w2, NULL, 1, 1);
		h = vt_nn_batch_norm2d(g, h, bw, bb, NULL, NULL, true, 0.1, 0.8);
		h = vt_nn_leaky_relu(g, h, 0.2);
		h = vt_nn_conv2d(g, h, w3, NULL, 1, 1);
		loss = vt_nn_mean(g, vt_nn_mul(g, h, h));
		cr_assert_eq(vt_nn_backward(g, loss, 6, ps), 0);
		if (step == 1) {
			mallocs = vt_nn_graph_arena_mallocs(g);
			bytes = vt_nn_graph_arena_bytes(g);
		} else if (step == 2) {
			cr_assert_eq(vt_nn_graph_arena_mallocs(g), mallocs);
			cr_assert_eq(vt_nn_graph_arena_bytes(g), bytes);
		}
	}
	for (int i = 0; i < 6; i++)
		vt_nn_param_free(ps[i]);
	vt_nn_graph_free(g);
}
