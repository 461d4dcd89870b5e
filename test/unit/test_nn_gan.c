/* test_nn_gan.c - the MLP GAN of the collection (repo `gan`) and its
 * WGAN-GP variant against PyTorch (mlp_gan.safetensors, wgan_gp.safetensors
 * of ../shared/fixtures/gan): forward, losses, every parameter gradient,
 * batch-norm running statistics, the gradient penalty through a double
 * backward (float32 and float64), and Adam.  Skipped when the fixtures are
 * absent.  Tolerances: doc/nn-tolerances.md. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nnfix.h"
#include "vt/nn.h"
#include "vt/nn_optim.h"

#define TOL_OUT 1e-5     /* outputs, losses: of max |ref| */
#define TOL_GRAD 1e-4    /* gradients: of max(max |ref|, 0.1 absmax) */
#define TOL_BN 1e-5      /* running statistics */
#define TOL_F64 1e-10    /* the float64 run */

enum { G_LIN = 5, G_BN = 3, D_LIN = 3 };
static const int g_lin[G_LIN] = { 0, 2, 5, 8, 11 };
static const int g_bn[G_BN] = { 3, 6, 9 };
static const int d_lin[D_LIN] = { 0, 2, 4 };

struct mlp {
	/* G: weight, bias of each Linear; weight, bias, running mean/var of
	 * each BN.  D: weight, bias of each Linear. */
	struct vt_nn_val *gw[G_LIN], *gb[G_LIN];
	struct vt_nn_val *bw[G_BN], *bb[G_BN], *rm[G_BN], *rv[G_BN];
	struct vt_nn_val *dw[D_LIN], *db[D_LIN];
	char names[64][64];
	int nnames;
};

static const char *keep(struct mlp *m, const char *fmt, int layer,
			const char *what)
{
	char *p = m->names[m->nnames++];

	snprintf(p, sizeof m->names[0], fmt, layer, what);
	return p;
}

static struct vt_nn_val *load(const struct vt_record *rec, struct mlp *m,
			      enum vt_dtype dt, const char *net, int layer,
			      const char *what)
{
	char full[128];
	const char *name = keep(m, "model.%d.%s", layer, what);

	snprintf(full, sizeof full, "%s.%s", net, name);
	return t_nnfix_param(t_nnfix_get(rec, full), dt, name);
}

static void mlp_load(struct mlp *m, const struct vt_record *rec,
		     enum vt_dtype dt)
{
	memset(m, 0, sizeof *m);
	for (int i = 0; i < G_LIN; i++) {
		m->gw[i] = load(rec, m, dt, "G", g_lin[i], "weight");
		m->gb[i] = load(rec, m, dt, "G", g_lin[i], "bias");
	}
	for (int i = 0; i < G_BN; i++) {
		m->bw[i] = load(rec, m, dt, "G", g_bn[i], "weight");
		m->bb[i] = load(rec, m, dt, "G", g_bn[i], "bias");
		m->rm[i] = load(rec, m, dt, "G", g_bn[i], "running_mean");
		m->rv[i] = load(rec, m, dt, "G", g_bn[i], "running_var");
	}
	for (int i = 0; i < D_LIN; i++) {
		m->dw[i] = load(rec, m, dt, "D", d_lin[i], "weight");
		m->db[i] = load(rec, m, dt, "D", d_lin[i], "bias");
	}
}

static void mlp_free(struct mlp *m)
{
	for (int i = 0; i < G_LIN; i++) {
		vt_nn_param_free(m->gw[i]);
		vt_nn_param_free(m->gb[i]);
	}
	for (int i = 0; i < G_BN; i++) {
		vt_nn_param_free(m->bw[i]);
		vt_nn_param_free(m->bb[i]);
		vt_nn_param_free(m->rm[i]);
		vt_nn_param_free(m->rv[i]);
	}
	for (int i = 0; i < D_LIN; i++) {
		vt_nn_param_free(m->dw[i]);
		vt_nn_param_free(m->db[i]);
	}
}

/* G's trainable parameters in state_dict order (16 of them) */
static int g_params(struct mlp *m, struct vt_nn_val **p)
{
	int n = 0;

	p[n++] = m->gw[0];
	p[n++] = m->gb[0];
	for (int i = 0; i < G_BN; i++) {
		p[n++] = m->gw[i + 1];
		p[n++] = m->gb[i + 1];
		p[n++] = m->bw[i];
		p[n++] = m->bb[i];
	}
	p[n++] = m->gw[4];
	p[n++] = m->gb[4];
	return n;
}

static int d_params(struct mlp *m, struct vt_nn_val **p)
{
	int n = 0;

	for (int i = 0; i < D_LIN; i++) {
		p[n++] = m->dw[i];
		p[n++] = m->db[i];
	}
	return n;
}

static struct vt_nn_val *gen_forward(struct vt_nn_graph *g, struct mlp *m,
				     struct vt_nn_val *z)
{
	struct vt_nn_val *h;

	h = vt_nn_leaky_relu(g, vt_nn_linear(g, z, m->gw[0], m->gb[0]), 0.2);
	for (int i = 0; i < G_BN; i++) {
		h = vt_nn_linear(g, h, m->gw[i + 1], m->gb[i + 1]);
		h = vt_nn_batch_norm1d(g, h, m->bw[i], m->bb[i], m->rm[i],
				       m->rv[i], true, 0.1, 0.8);
		h = vt_nn_leaky_relu(g, h, 0.2);
	}
	h = vt_nn_tanh(g, vt_nn_linear(g, h, m->gw[4], m->gb[4]));
	return vt_nn_reshape(g, h, 4, (int64_t[]){ -1, 1, 28, 28 });
}

static struct vt_nn_val *disc_forward(struct vt_nn_graph *g, struct mlp *m,
				      struct vt_nn_val *img, bool sigmoid)
{
	struct vt_nn_val *h = vt_nn_reshape(g, img, 2, (int64_t[]){ -1, 784 });

	h = vt_nn_leaky_relu(g, vt_nn_linear(g, h, m->dw[0], m->db[0]), 0.2);
	h = vt_nn_leaky_relu(g, vt_nn_linear(g, h, m->dw[1], m->db[1]), 0.2);
	h = vt_nn_linear(g, h, m->dw[2], m->db[2]);
	return sigmoid ? vt_nn_sigmoid(g, h) : h;
}

static struct vt_nn_graph *graph(void)
{
	struct vt_nn_graph *g;
	struct vt_err err = { 0 };

	cr_assert_eq(vt_nn_graph_new(&g, &err), 0);
	return g;
}

static void ok(struct vt_nn_graph *g)
{
	struct vt_err err = { 0 };

	cr_assert_eq(vt_nn_graph_status(g, &err), 0, "%s", err.msg);
}

static void skip_without_fixtures(void)
{
	if (!t_nnfix_dir())
		cr_skip_test("../shared/fixtures/gan not present "
			     "(set VT_GAN_FIXTURES)");
}

/* compare a list of gradients with prefix.<param name>; the floor is
 * 0.1 * prefix@absmax (the recommended gradient check) */
static double cmp_grads(const struct vt_record *rec, const char *group,
			const char *net, int n, struct vt_nn_val **params,
			struct vt_nn_val **grads, double tol)
{
	char b[256];
	double floor, worst = 0;

	snprintf(b, sizeof b, "%s.%s@absmax", group, net);
	floor = 0.1 * t_nnfix_scalar(rec, b);
	for (int i = 0; i < n; i++) {
		snprintf(b, sizeof b, "%s.%s.%s", group, net, params[i]->name);
		worst = fmax(worst, t_nnfix_cmp(rec, b, grads[i]->dtype,
						grads[i]->data,
						grads[i]->numel,
						grads[i]->numel /
						(size_t)grads[i]->shape[0],
						tol, floor, tol));
	}
	return worst;
}

static void cmp_bn(const struct vt_record *rec, const char *prefix,
		   struct mlp *m, double tol)
{
	char b[256];

	for (int i = 0; i < G_BN; i++) {
		snprintf(b, sizeof b, "%sbn.G.model.%d.running_mean", prefix,
			 g_bn[i]);
		t_nnfix_cmp_val(rec, b, m->rm[i], tol, 0);
		snprintf(b, sizeof b, "%sbn.G.model.%d.running_var", prefix,
			 g_bn[i]);
		t_nnfix_cmp_val(rec, b, m->rv[i], tol, 0);
	}
}

/* params as values holding their gradients (for cmp_grads) */
static void grads_of(struct vt_nn_graph *g, int n, struct vt_nn_val **p,
		     struct vt_nn_val **out)
{
	for (int i = 0; i < n; i++)
		out[i] = vt_nn_from(g, p[i]->dtype, p[i]->rank, p[i]->shape,
				    p[i]->grad);
}

Test(nn_gan, mlp_gan_step_matches_pytorch)
{
	struct vt_record rec;
	struct vt_nn_graph *g;
	struct mlp m;
	struct vt_nn_val *gp[16], *dp[8], *gg[17], *dg[8], *ins[17];
	struct vt_nn_val *z, *real, *gen, *d_fake, *ones, *zeros, *g_loss;
	struct vt_nn_val *d_real, *d_fake2, *dr_loss, *df_loss, *d_loss;
	double w;
	int ng, nd;

	skip_without_fixtures();
	t_nnfix_load(&rec, "mlp_gan.safetensors");
	mlp_load(&m, &rec, VT_F32);
	ng = g_params(&m, gp);
	nd = d_params(&m, dp);
	g = graph();
	z = t_nnfix_val(g, t_nnfix_get(&rec, "z"), VT_F32, false);
	real = t_nnfix_val(g, t_nnfix_get(&rec, "real"), VT_F32, false);
	ones = vt_nn_full(g, VT_F32, 2, (int64_t[]){ 8, 1 }, 1);
	zeros = vt_nn_full(g, VT_F32, 2, (int64_t[]){ 8, 1 }, 0);

	/* G step: g_loss = BCE(D(G(z)), 1) */
	gen = gen_forward(g, &m, z);
	d_fake = disc_forward(g, &m, gen, true);
	g_loss = vt_nn_bce(g, d_fake, ones);
	ok(g);
	t_nnfix_cmp_val(&rec, "gen", gen, TOL_OUT, 0);
	cmp_bn(&rec, "", &m, TOL_BN);
	t_nnfix_cmp_val(&rec, "d_fake", d_fake, TOL_OUT, 0);
	t_nnfix_cmp_val(&rec, "g_loss", g_loss, TOL_OUT, 0);
	memcpy(ins, gp, sizeof gp[0] * (size_t)ng);
	ins[ng] = gen;
	cr_assert_eq(vt_nn_grad(g, 1, &g_loss, NULL, ng + 1, ins, gg, false),
		     0);
	t_nnfix_cmp_val(&rec, "grad_g.gen", gg[ng], TOL_GRAD, 0);
	w = cmp_grads(&rec, "grad_g", "G", ng, gp, gg, TOL_GRAD);
	cr_log_info("mlp_gan: worst G gradient ratio %.3g", w);

	/* D step: (BCE(D(real), 1) + BCE(D(gen.detach()), 0)) / 2 */
	d_real = disc_forward(g, &m, real, true);
	d_fake2 = disc_forward(g, &m, vt_nn_detach(g, gen), true);
	dr_loss = vt_nn_bce(g, d_real, ones);
	df_loss = vt_nn_bce(g, d_fake2, zeros);
	d_loss = vt_nn_scale(g, vt_nn_add(g, dr_loss, df_loss), 0.5);
	ok(g);
	t_nnfix_cmp_val(&rec, "d_real", d_real, TOL_OUT, 0);
	t_nnfix_cmp_val(&rec, "d_real_loss", dr_loss, TOL_OUT, 0);
	t_nnfix_cmp_val(&rec, "d_fake_loss", df_loss, TOL_OUT, 0);
	t_nnfix_cmp_val(&rec, "d_loss", d_loss, TOL_OUT, 0);
	cr_assert_eq(vt_nn_backward(g, d_loss, nd, dp), 0);
	grads_of(g, nd, dp, dg);
	w = cmp_grads(&rec, "grad_d", "D", nd, dp, dg, TOL_GRAD);
	cr_log_info("mlp_gan: worst D gradient ratio %.3g", w);

	/* Adam end to end with vt's own gradients: |d(p1 - p0)| <= 0.05 lr
	 * away from @noise entries, |p1 - p0| <= lr at them */
	for (int net = 0; net < 2; net++) {
		struct vt_nn_val **p = net ? dp : gp, **gr = net ? dg : gg;
		int n = net ? nd : ng;
		struct vt_nn_optim o;
		struct vt_nn_optim_cfg c = vt_nn_optim_defaults(VT_NN_ADAM,
								2e-4);
		struct vt_err err = { 0 };

		c.beta1 = 0.5;
		for (int i = 0; i < n; i++)
			memcpy(p[i]->grad, gr[i]->data,
			       p[i]->numel * sizeof(float));
		cr_assert_eq(vt_nn_optim_init(&o, &c, n, p, &err), 0);
		vt_nn_optim_step(&o);
		for (int i = 0; i < n; i++) {
			char b[128], gb[128], ib[160];
			size_t rl = p[i]->numel / (size_t)p[i]->shape[0];
			const struct vt_tensor *p0, *p1, *idx;
			size_t nr;

			snprintf(b, sizeof b, "%s.%s", net ? "D" : "G",
				 p[i]->name);
			p0 = t_nnfix_get(&rec, b);
			snprintf(b, sizeof b, "adam.%s.%s", net ? "D" : "G",
				 p[i]->name);
			snprintf(gb, sizeof gb, "grad_%s.%s.%s",
				 net ? "d" : "g", net ? "D" : "G",
				 p[i]->name);
			p1 = t_nnfix_opt(&rec, b);
			idx = NULL;
			if (!p1) {
				snprintf(ib, sizeof ib, "%s@rows", b);
				p1 = t_nnfix_get(&rec, ib);
				snprintf(ib, sizeof ib, "%s@index", b);
				idx = t_nnfix_get(&rec, ib);
			}
			nr = idx ? vt_tensor_numel(idx)
				 : (size_t)p[i]->shape[0];
			for (size_t r = 0; r < nr; r++) {
				size_t row = idx ? (size_t)((const int64_t *)
							    idx->data)[r]
						 : r;

				for (size_t c2 = 0; c2 < rl; c2++) {
					size_t k = row * rl + c2;
					double a0 = ((const float *)
						     p0->data)[k];
					double mine = ((const float *)
						       p[i]->data)[k] - a0;
					double ref = ((const float *)p1->data)
							     [r * rl + c2] -
						     a0;

					if (t_nnfix_noise(&rec, gb, k))
						cr_assert(fabs(mine) <= 2e-4,
							  "%s[%zu]", b, k);
					else
						cr_assert(fabs(mine - ref) <=
								  0.05 * 2e-4,
							  "%s[%zu]: step %g, "
							  "PyTorch %g", b, k,
							  mine, ref);
				}
			}
		}
		vt_nn_optim_release(&o);
	}
	vt_nn_graph_free(g);
	mlp_free(&m);
	vt_record_release(&rec);
}

/* Adam fed PyTorch's own gradients gives PyTorch's parameters bit for bit
 * (rows of the compact tensors: Adam is elementwise) */
Test(nn_gan, adam_bit_exact_on_stored_gradients)
{
	struct vt_record rec;
	static const char *const nets[2] = { "G", "D" };
	int checked = 0;

	skip_without_fixtures();
	t_nnfix_load(&rec, "mlp_gan.safetensors");
	for (size_t t = 0; t < rec.n_tensors; t++) {
		const char *name = rec.tensors[t].name;
		char b[256];
		const struct vt_tensor *p0, *gr, *p1, *idx;
		struct vt_nn_val *p;
		struct vt_nn_optim o;
		struct vt_nn_optim_cfg c = vt_nn_optim_defaults(VT_NN_ADAM,
								2e-4);
		struct vt_err err = { 0 };
		size_t rl, nr, len;
		int net;
		bool compact;

		if (strncmp(name, "adam.", 5))
			continue;
		len = strlen(name);
		compact = len > 5 && !strcmp(name + len - 5, "@rows");
		if (strchr(name, '@') && !compact)
			continue;
		net = name[5] == 'D';
		snprintf(b, sizeof b, "%.*s", (int)(len - 5 - (compact ? 5 : 0)),
			 name + 5);
		p0 = t_nnfix_get(&rec, b);
		snprintf(b, sizeof b, "grad_%c.%.*s%s", net ? 'd' : 'g',
			 (int)(len - 5 - (compact ? 5 : 0)), name + 5,
			 compact ? "@rows" : "");
		gr = t_nnfix_get(&rec, b);
		p1 = &rec.tensors[t];
		idx = NULL;
		if (compact) {
			snprintf(b, sizeof b, "%.*s@index", (int)(len - 5),
				 name);
			idx = t_nnfix_get(&rec, b);
		}
		rl = vt_tensor_numel(p0) / (size_t)(p0->rank ? p0->shape[0] : 1);
		nr = vt_tensor_numel(p1) / rl;
		p = vt_nn_param_new(VT_F32, 1, (int64_t[]){ (int64_t)(nr * rl) },
				    nets[net]);
		for (size_t r = 0; r < nr; r++) {
			size_t row = idx ? (size_t)((const int64_t *)idx->data)[r]
					 : r;

			memcpy((float *)p->data + r * rl,
			       (const float *)p0->data + row * rl,
			       rl * sizeof(float));
		}
		memcpy(p->grad, gr->data, nr * rl * sizeof(float));
		c.beta1 = 0.5;
		cr_assert_eq(vt_nn_optim_init(&o, &c, 1, &p, &err), 0);
		vt_nn_optim_step(&o);
		cr_assert_eq(memcmp(p->data, p1->data, nr * rl * sizeof(float)),
			     0, "%s: not bit for bit", name);
		vt_nn_optim_release(&o);
		vt_nn_param_free(p);
		checked++;
	}
	cr_assert_eq(checked, 22);   /* G 16, D 6; 7 compact (rows) */
	vt_record_release(&rec);
}

/* The WGAN-GP critic step: penalty through a double backward. */
static void wgan_gp(enum vt_dtype dt)
{
	struct vt_record mrec, rec;
	struct vt_nn_graph *g;
	struct mlp m;
	struct vt_nn_val *gp[16], *dp[8], *gg[17], *dg[8], *pg[8], *ins[17];
	struct vt_nn_val *z, *real, *alpha, *gen, *d_real, *d_fake, *interp;
	struct vt_nn_val *d_interp, *gr, *norm, *pen, *d_loss, *g_loss, *fake;
	const char *pre = dt == VT_F64 ? "f64." : "";
	double tol_out = dt == VT_F64 ? TOL_F64 : TOL_OUT;
	double tol_grad = dt == VT_F64 ? TOL_F64 : TOL_GRAD;
	char b[128], g1[64], g2[64];
	int ng, nd;

	skip_without_fixtures();
	t_nnfix_load(&mrec, "mlp_gan.safetensors");
	t_nnfix_load(&rec, "wgan_gp.safetensors");
	mlp_load(&m, &mrec, dt);
	ng = g_params(&m, gp);
	nd = d_params(&m, dp);
	g = graph();
#define NAME(s) (snprintf(b, sizeof b, "%s%s", pre, s), b)
	z = t_nnfix_val(g, t_nnfix_get(&rec, "z"), dt, false);
	real = t_nnfix_val(g, t_nnfix_get(&rec, "real"), dt, false);
	alpha = t_nnfix_val(g, t_nnfix_get(&rec, "alpha"), dt, false);

	gen = gen_forward(g, &m, z);
	d_real = disc_forward(g, &m, real, false);
	d_fake = disc_forward(g, &m, gen, false);
	ok(g);
	t_nnfix_cmp_val(&rec, NAME("gen"), gen, tol_out, 0);
	for (int i = 0; i < G_BN; i++) {
		snprintf(g1, sizeof g1, "bn.G.model.%d.running_mean", g_bn[i]);
		t_nnfix_cmp_val(&rec, NAME(g1), m.rm[i], dt == VT_F64 ?
				TOL_F64 : TOL_BN, 0);
		snprintf(g1, sizeof g1, "bn.G.model.%d.running_var", g_bn[i]);
		t_nnfix_cmp_val(&rec, NAME(g1), m.rv[i], dt == VT_F64 ?
				TOL_F64 : TOL_BN, 0);
	}
	t_nnfix_cmp_val(&rec, NAME("d_real"), d_real, tol_out, 0);
	t_nnfix_cmp_val(&rec, NAME("d_fake"), d_fake, tol_out, 0);

	/* interp = alpha real + (1 - alpha) gen.detach(), a leaf */
	fake = vt_nn_detach(g, gen);
	interp = vt_nn_add(g, vt_nn_mul(g, alpha, real),
			   vt_nn_mul(g, vt_nn_add_scalar(g, vt_nn_neg(g, alpha),
							 1), fake));
	ok(g);
	interp = vt_nn_input(g, dt, interp->rank, interp->shape, interp->data);
	t_nnfix_cmp_val(&rec, NAME("interp"), interp, tol_out, 0);
	d_interp = disc_forward(g, &m, interp, false);
	t_nnfix_cmp_val(&rec, NAME("d_interp"), d_interp, tol_out, 0);
	cr_assert_eq(vt_nn_grad(g, 1, &d_interp, NULL, 1, &interp, &gr, true),
		     0);
	t_nnfix_cmp_val(&rec, NAME("gp_grad"), gr, tol_grad, 0);
	gr = vt_nn_reshape(g, gr, 2, (int64_t[]){ 8, -1 });
	norm = vt_nn_sqrt(g, vt_nn_sum_dim(g, vt_nn_mul(g, gr, gr), 1, false));
	pen = vt_nn_mean(g, vt_nn_pow(g, vt_nn_add_scalar(g, norm, -1), 2));
	d_loss = vt_nn_add(g, vt_nn_sub(g, vt_nn_mean(g, d_fake),
					vt_nn_mean(g, d_real)),
			   vt_nn_scale(g, pen, 10));
	ok(g);
	t_nnfix_cmp_val(&rec, NAME("gp_grad_norm"), norm, tol_out, 0);
	t_nnfix_cmp_val(&rec, NAME("gp"), pen, tol_out, 0);
	t_nnfix_cmp_val(&rec, NAME("d_loss"), d_loss, tol_out, 0);
	cr_assert_eq(vt_nn_grad(g, 1, &d_loss, NULL, nd, dp, dg, false), 0);
	cr_assert_eq(vt_nn_grad(g, 1, &pen, NULL, nd, dp, pg, false), 0);
	snprintf(g1, sizeof g1, "%sgrad_d", pre);
	snprintf(g2, sizeof g2, "%sgrad_gp", pre);
	cr_log_info("wgan_gp %s: worst grad_d ratio %.3g, grad_gp %.3g",
		    vt_dtype_name(dt),
		    cmp_grads(&rec, g1, "D", nd, dp, dg, tol_grad),
		    cmp_grads(&rec, g2, "D", nd, dp, pg, tol_grad));

	/* G: -mean(D(G(z))) with the initial D */
	g_loss = vt_nn_neg(g, vt_nn_mean(g, d_fake));
	t_nnfix_cmp_val(&rec, NAME("g_loss"), g_loss, tol_out, 0);
	memcpy(ins, gp, sizeof gp[0] * (size_t)ng);
	ins[ng] = gen;
	cr_assert_eq(vt_nn_grad(g, 1, &g_loss, NULL, ng + 1, ins, gg, false),
		     0);
	t_nnfix_cmp_val(&rec, NAME("grad_g.gen"), gg[ng], tol_grad, 0);
	snprintf(g1, sizeof g1, "%sgrad_g", pre);
	cmp_grads(&rec, g1, "G", ng, gp, gg, tol_grad);
#undef NAME
	vt_nn_graph_free(g);
	mlp_free(&m);
	vt_record_release(&rec);
	vt_record_release(&mrec);
}

Test(nn_gan, wgan_gp_f32_matches_pytorch)
{
	wgan_gp(VT_F32);
}

Test(nn_gan, wgan_gp_f64_matches_pytorch)
{
	wgan_gp(VT_F64);
}
