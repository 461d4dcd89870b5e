/* test_nn.c - lib/nn: the op table, the graph and arena, errors, backward
 * into parameters, and hand-computed values of single ops. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "vt/nn.h"
#include "vt/nn_optim.h"
#include "vt/rng.h"

static struct vt_nn_graph *graph(void)
{
	struct vt_nn_graph *g;
	struct vt_err err = { 0 };

	cr_assert_eq(vt_nn_graph_new(&g, &err), 0);
	return g;
}

Test(nn, op_names_complete_and_unique)
{
	for (int i = 0; i < VT_NN_OP_COUNT; i++) {
		const char *n = vt_nn_op_name((enum vt_nn_op)i);

		cr_assert_not_null(n, "op %d has no name", i);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(n, vt_nn_op_name((enum vt_nn_op)j));
	}
	cr_assert_null(vt_nn_op_name(VT_NN_OP_COUNT));
}

Test(nn, errors_propagate_to_status)
{
	struct vt_nn_graph *g = graph();
	struct vt_err err = { 0 };
	struct vt_nn_val *a = vt_nn_new(g, VT_F32, 2, (int64_t[]){ 2, 3 });
	struct vt_nn_val *b = vt_nn_new(g, VT_F32, 2, (int64_t[]){ 4, 3 });
	struct vt_nn_val *y = vt_nn_add(g, a, b);

	cr_assert_null(y);
	cr_assert_null(vt_nn_tanh(g, vt_nn_mul(g, y, a)));
	cr_assert_eq(vt_nn_graph_status(g, &err), VT_EINVAL);
	cr_assert_str_eq(err.msg, "add: shapes [2,3] and [4,3] do not broadcast");
	vt_nn_graph_reset(g);
	cr_assert_eq(vt_nn_graph_status(g, NULL), 0);
	a = vt_nn_new(g, VT_F32, 2, (int64_t[]){ 2, 3 });
	b = vt_nn_new(g, VT_F64, 2, (int64_t[]){ 2, 3 });
	cr_assert_null(vt_nn_matmul(g, a, b, false, false));
	cr_assert_eq(vt_nn_graph_status(g, &err), VT_EINVAL);
	cr_assert_str_eq(err.msg, "matmul: [2,3] and [2,3] do not multiply");
	vt_nn_graph_free(g);
}

/* a tiny MLP step: the second and later steps allocate nothing */
static void mlp_step(struct vt_nn_graph *g, struct vt_nn_val **p)
{
	struct vt_nn_val *x = vt_nn_full(g, VT_F32, 2, (int64_t[]){ 8, 5 },
					 0.25);
	struct vt_nn_val *t = vt_nn_full(g, VT_F32, 2, (int64_t[]){ 8, 1 }, 1);
	struct vt_nn_val *h = vt_nn_leaky_relu(g, vt_nn_linear(g, x, p[0], p[1]),
					       0.2);
	struct vt_nn_val *o = vt_nn_sigmoid(g, vt_nn_linear(g, h, p[2], p[3]));

	cr_assert_eq(vt_nn_backward(g, vt_nn_bce(g, o, t), 4, p), 0);
}

Test(nn, arena_reused_after_first_step)
{
	struct vt_nn_graph *g = graph();
	struct vt_nn_val *p[4] = {
		vt_nn_param_new(VT_F32, 2, (int64_t[]){ 16, 5 }, "w1"),
		vt_nn_param_new(VT_F32, 1, (int64_t[]){ 16 }, "b1"),
		vt_nn_param_new(VT_F32, 2, (int64_t[]){ 1, 16 }, "w2"),
		vt_nn_param_new(VT_F32, 1, (int64_t[]){ 1 }, "b2"),
	};
	size_t m;

	for (size_t i = 0; i < p[0]->numel; i++)
		((float *)p[0]->data)[i] = (float)((int)(i % 7) - 3) * 0.1f;
	for (size_t i = 0; i < p[2]->numel; i++)
		((float *)p[2]->data)[i] = (float)((int)(i % 5) - 2) * 0.1f;
	mlp_step(g, p);
	m = vt_nn_graph_arena_mallocs(g);
	cr_assert_gt(m, 0);
	for (int s = 0; s < 5; s++) {
		vt_nn_graph_reset(g);
		mlp_step(g, p);
	}
	cr_assert_eq(vt_nn_graph_arena_mallocs(g), m);
	/* gradients accumulated 6 times: b2 gets 6 * mean(sigmoid - 1) */
	cr_assert_lt(((float *)p[3]->grad)[0], 0);
	for (int i = 0; i < 4; i++)
		vt_nn_param_free(p[i]);
	vt_nn_graph_free(g);
}

Test(nn, backward_only_reaches_asked_parameters)
{
	struct vt_nn_graph *g = graph();
	struct vt_nn_val *w = vt_nn_param_new(VT_F64, 1, (int64_t[]){ 3 }, "w");
	struct vt_nn_val *v = vt_nn_param_new(VT_F64, 1, (int64_t[]){ 3 }, "v");
	struct vt_nn_val *x, *loss;

	for (int i = 0; i < 3; i++) {
		((double *)w->data)[i] = i + 1;
		((double *)v->data)[i] = 2 * i - 1;
	}
	x = vt_nn_mul(g, w, v);
	loss = vt_nn_sum(g, vt_nn_mul(g, x, x));   /* sum (w v)^2 */
	cr_assert_eq(vt_nn_backward(g, loss, 1, &w), 0);
	for (int i = 0; i < 3; i++) {
		double wi = i + 1, vi = 2 * i - 1;

		cr_assert_float_eq(((double *)w->grad)[i], 2 * wi * vi * vi,
				   1e-12);
		cr_assert_eq(((double *)v->grad)[i], 0);
	}
	/* all parameters */
	vt_nn_param_zero_grad(w);
	cr_assert_eq(vt_nn_backward(g, loss, 0, NULL), 0);
	for (int i = 0; i < 3; i++) {
		double wi = i + 1, vi = 2 * i - 1;

		cr_assert_float_eq(((double *)w->grad)[i], 2 * wi * vi * vi,
				   1e-12);
		cr_assert_float_eq(((double *)v->grad)[i], 2 * vi * wi * wi,
				   1e-12);
	}
	vt_nn_param_free(w);
	vt_nn_param_free(v);
	vt_nn_graph_free(g);
}

Test(nn, detach_and_no_record)
{
	struct vt_nn_graph *g = graph();
	struct vt_nn_val *x = vt_nn_input(g, VT_F64, 1, (int64_t[]){ 2 },
					  (double[]){ 1, 2 });
	struct vt_nn_val *y = vt_nn_mul(g, x, x), *gx;

	cr_assert(y->requires_grad);
	cr_assert_not(vt_nn_detach(g, y)->requires_grad);
	vt_nn_graph_set_record(g, false);
	cr_assert_not(vt_nn_mul(g, x, x)->requires_grad);
	vt_nn_graph_set_record(g, true);
	/* gradient of something independent of x is zero */
	cr_assert_eq(vt_nn_grad(g, 1, &(struct vt_nn_val *){
		vt_nn_sum(g, vt_nn_detach(g, y)) }, NULL, 1, &x, &gx, false), 0);
	cr_assert_eq(vt_nn_get(gx, 0), 0);
	cr_assert_eq(vt_nn_get(gx, 1), 0);
	vt_nn_graph_free(g);
}

Test(nn, bce_edges_like_pytorch)
{
	/* ops_f64 bce_edge: x=[0,1,0,1,1e-50,0.3], t=[1,1,0,0,1,0.25];
	 * log clamped at -100 */
	struct vt_nn_graph *g = graph();
	double xv[6] = { 0, 1, 0, 1, 1e-50, 0.3 };
	double tv[6] = { 1, 1, 0, 0, 1, 0.25 };
	struct vt_nn_val *x = vt_nn_input(g, VT_F64, 1, (int64_t[]){ 6 }, xv);
	struct vt_nn_val *t = vt_nn_from(g, VT_F64, 1, (int64_t[]){ 6 }, tv);
	struct vt_nn_val *l = vt_nn_bce(g, x, t), *gx;
	double want = (100 + 0 + 0 + 100 + 100 +   /* log(1e-50) < -100 */
		       -(0.25 * log(0.3) + 0.75 * log(0.7))) / 6;

	cr_assert_float_eq(vt_nn_get(l, 0), want, 1e-12);
	cr_assert_eq(vt_nn_grad(g, 1, &l, NULL, 1, &x, &gx, false), 0);
	/* x = 0, t = 1: (0 - 1) / eps / 6, eps the float 1e-12 */
	cr_assert_float_eq(vt_nn_get(gx, 0), -1 / (double)1e-12f / 6, 1e-3);
	vt_nn_graph_free(g);
}

Test(nn, clipping)
{
	struct vt_nn_val *p = vt_nn_param_new(VT_F32, 1, (int64_t[]){ 2 },
					      "p");
	float *gr = p->grad, *d = p->data;

	gr[0] = 3;
	gr[1] = 4;
	cr_assert_float_eq(vt_nn_clip_grad_norm(1, &p, 1.0), 5.0, 1e-12);
	/* scaled by 1 / (5 + 1e-6) */
	cr_assert_float_eq(gr[0], 3 / (5 + 1e-6), 1e-6);
	cr_assert_float_eq(gr[1], 4 / (5 + 1e-6), 1e-6);
	vt_nn_clip_grad_norm(1, &p, 10.0);   /* below the limit: unchanged */
	cr_assert_float_eq(gr[1], 4 / (5 + 1e-6), 1e-6);
	vt_nn_clip_grad_value(1, &p, 0.7);
	cr_assert_eq(gr[1], 0.7f);
	d[0] = -0.5f;
	d[1] = 0.005f;
	vt_nn_clip_weights(1, &p, -0.01, 0.01);
	cr_assert_eq(d[0], -0.01f);
	cr_assert_eq(d[1], 0.005f);
	vt_nn_param_free(p);
}

Test(nn, lr_schedules)
{
	struct vt_nn_lr c = { .kind = VT_NN_LR_CONSTANT, .base = 0.1 };
	struct vt_nn_lr l = { .kind = VT_NN_LR_LINEAR, .base = 0.1,
			      .total = 200, .start = 100 };
	struct vt_nn_lr cs = { .kind = VT_NN_LR_COSINE, .base = 0.1,
			       .total = 100 };
	struct vt_nn_lr st = { .kind = VT_NN_LR_STEP, .base = 0.1,
			       .every = 10, .gamma = 0.5 };

	cr_assert_eq(vt_nn_lr_at(&c, 12345), 0.1);
	cr_assert_eq(vt_nn_lr_at(&l, 50), 0.1);
	cr_assert_float_eq(vt_nn_lr_at(&l, 150), 0.05, 1e-15);
	cr_assert_eq(vt_nn_lr_at(&l, 200), 0);
	cr_assert_float_eq(vt_nn_lr_at(&cs, 50), 0.05, 1e-15);
	cr_assert_eq(vt_nn_lr_at(&cs, 0), 0.1);
	cr_assert_float_eq(vt_nn_lr_at(&st, 25), 0.025, 1e-15);
	for (int k = 0; k < VT_NN_LR_COUNT; k++)
		cr_assert_not_null(vt_nn_lr_name((enum vt_nn_lr_kind)k));
	for (int k = 0; k < VT_NN_OPTIM_COUNT; k++)
		cr_assert_not_null(vt_nn_optim_name((enum vt_nn_optim_kind)k));
}

/* bounds and moments of the initialisers on a [256,64,3,3] weight */
Test(nn, initialisers)
{
	int64_t shape[4] = { 256, 64, 3, 3 };
	struct vt_nn_val *w = vt_nn_param_new(VT_F64, 4, shape, "w");
	struct vt_nn_val *b = vt_nn_param_new(VT_F64, 1, shape, "b");
	struct vt_rng r;
	double bound = 1 / sqrt(64.0 * 9), m = 0, v = 0, mx = 0;
	double *d = w->data;

	vt_rng_seed(&r, 3, 0);
	cr_assert_eq(vt_nn_fan_in(w), 576);
	cr_assert_eq(vt_nn_fan_out(w), 2304);
	vt_nn_init_default(w, b, &r);
	for (size_t i = 0; i < w->numel; i++) {
		mx = fmax(mx, fabs(d[i]));
		v += d[i] * d[i];
	}
	cr_assert_leq(mx, bound);
	cr_assert_gt(mx, 0.99 * bound);
	/* U(-a, a) has variance a^2 / 3 */
	cr_assert_float_eq(v / (double)w->numel, bound * bound / 3,
			   0.02 * bound * bound / 3);
	for (size_t i = 0; i < b->numel; i++)
		cr_assert_leq(fabs(((double *)b->data)[i]), bound);
	vt_nn_init_normal(w, 0, 0.02, &r);
	v = 0;
	for (size_t i = 0; i < w->numel; i++) {
		m += d[i];
		v += d[i] * d[i];
	}
	cr_assert_float_eq(m / (double)w->numel, 0, 1e-3 * 0.02 * 10);
	cr_assert_float_eq(sqrt(v / (double)w->numel), 0.02, 0.02 * 0.02);
	vt_nn_init_xavier_uniform(w, 1, &r);
	mx = 0;
	for (size_t i = 0; i < w->numel; i++)
		mx = fmax(mx, fabs(d[i]));
	cr_assert_leq(mx, sqrt(6.0 / (576 + 2304)));
	vt_nn_param_free(w);
	vt_nn_param_free(b);
}

Test(nn, tensor_bridge)
{
	uint64_t shape[2] = { 2, 3 };
	double data[6] = { 1, 2, 3, 4, 5, 6 };
	struct vt_tensor t, v;
	struct vt_nn_val *p;
	struct vt_err err = { 0 };

	cr_assert_eq(vt_tensor_init_view(&t, "w", VT_F64, 2, shape, data,
					 &err), 0);
	cr_assert_eq(vt_nn_param_from(&p, &t, VT_F32, "w", &err), 0);
	cr_assert_eq(p->numel, 6);
	cr_assert_eq(((float *)p->data)[5], 6.0f);
	((float *)p->grad)[1] = 7;
	cr_assert_eq(vt_nn_val_view(p, true, "w.grad", &v, &err), 0);
	cr_assert_eq(v.dtype, VT_F32);
	cr_assert_eq(v.shape[1], 3);
	cr_assert_eq(((float *)v.data)[1], 7.0f);
	vt_tensor_release(&v);
	vt_tensor_release(&t);
	vt_nn_param_free(p);
}

/* two graphs over the same parameters: marks of one never leak into the
 * other's passes */
Test(nn, graphs_share_parameters)
{
	struct vt_nn_graph *a = graph(), *b = graph();
	struct vt_nn_val *w = vt_nn_param_new(VT_F64, 1, (int64_t[]){ 2 }, "w");
	struct vt_nn_val *v = vt_nn_param_new(VT_F64, 1, (int64_t[]){ 2 }, "v");
	struct vt_nn_val *l, *x;

	((double *)w->data)[0] = 1;
	((double *)w->data)[1] = 2;
	((double *)v->data)[0] = 3;
	((double *)v->data)[1] = 4;
	/* graph a: d sum(w v)/dw = v, into w only */
	l = vt_nn_sum(a, vt_nn_mul(a, w, v));
	cr_assert_eq(vt_nn_backward(a, l, 1, &w), 0);
	/* graph b, its first pass: d sum(x)/dx for an input; w, v untouched */
	x = vt_nn_input(b, VT_F64, 1, (int64_t[]){ 2 }, NULL);
	l = vt_nn_sum(b, vt_nn_add(b, vt_nn_mul(b, w, v), x));
	cr_assert_eq(vt_nn_backward(b, l, 1, &v), 0);
	cr_assert_eq(((double *)w->grad)[0], 3);
	cr_assert_eq(((double *)w->grad)[1], 4);
	cr_assert_eq(((double *)v->grad)[0], 1);
	cr_assert_eq(((double *)v->grad)[1], 2);
	vt_nn_param_free(w);
	vt_nn_param_free(v);
	vt_nn_graph_free(a);
	vt_nn_graph_free(b);
}

/* the fused step-and-zero gives the same bits as step then zero_grad, over
 * tensors longer than the optimiser's chunk */
Test(nn, optim_step_zero_same_bits)
{
	for (int k = 0; k < VT_NN_OPTIM_COUNT; k++) {
		struct vt_nn_val *p[2], *q[2];
		struct vt_nn_optim a, b;
		struct vt_nn_optim_cfg c = vt_nn_optim_defaults(
			(enum vt_nn_optim_kind)k, 1e-3);
		struct vt_rng r;
		struct vt_err err = { 0 };

		c.momentum = 0.9;
		c.weight_decay = k == 0 ? 0.01 : 0;
		vt_rng_seed(&r, 9, (uint64_t)k);
		for (int i = 0; i < 2; i++) {
			int64_t n = i ? 20001 : 7;

			p[i] = vt_nn_param_new(VT_F32, 1, &n, "p");
			q[i] = vt_nn_param_new(VT_F32, 1, &n, "q");
			vt_nn_init_normal(p[i], 0, 1, &r);
			memcpy(q[i]->data, p[i]->data, (size_t)n * 4);
		}
		cr_assert_eq(vt_nn_optim_init(&a, &c, 2, p, &err), 0);
		cr_assert_eq(vt_nn_optim_init(&b, &c, 2, q, &err), 0);
		for (int s = 0; s < 3; s++) {
			for (int i = 0; i < 2; i++) {
				vt_nn_init_normal(p[i], 0, 1, &r);
				memcpy(p[i]->grad, p[i]->data, p[i]->numel * 4);
				memcpy(q[i]->grad, p[i]->data, p[i]->numel * 4);
			}
			/* the draw above overwrote p's data: restore from q */
			for (int i = 0; i < 2; i++)
				memcpy(p[i]->data, q[i]->data, p[i]->numel * 4);
			vt_nn_optim_step(&a);
			vt_nn_optim_zero_grad(&a);
			vt_nn_optim_step_zero(&b);
			for (int i = 0; i < 2; i++) {
				cr_assert_eq(memcmp(p[i]->data, q[i]->data,
						    p[i]->numel * 4), 0);
				cr_assert_eq(memcmp(p[i]->grad, q[i]->grad,
						    p[i]->numel * 4), 0);
			}
		}
		vt_nn_optim_release(&a);
		vt_nn_optim_release(&b);
		for (int i = 0; i < 2; i++) {
			vt_nn_param_free(p[i]);
			vt_nn_param_free(q[i]);
		}
	}
}
