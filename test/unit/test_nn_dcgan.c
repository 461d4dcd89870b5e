/* test_nn_dcgan.c - the collection's DCGAN (repo `dcgan`, 32 px) on lib/nn
 * against PyTorch (dcgan.safetensors of ../shared/fixtures/gan): G's
 * output and batch-norm buffers, the three D calls of one iteration with
 * their running statistics, the BCE losses, every parameter gradient, and
 * the Dropout2d(0.25) variant replaying the stored masks.  Skipped when the
 * fixtures are absent.  Tolerances: doc/nn-tolerances.md. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nnfix.h"
#include "vt/nn.h"

#define TOL_OUT 1e-5     /* outputs, losses: of max |ref| */
#define TOL_GRAD 1e-4    /* gradients: of max(max |ref|, 0.1 absmax) */
#define TOL_ADV 3e-4     /* D.adv_layer.0.bias: cancellation (README) */
#define TOL_BN 1e-5      /* running statistics */

enum { G_BN = 3, G_CONV = 3, D_CONV = 4, D_BN = 3 };
static const int g_bn[G_BN] = { 0, 3, 7 };
static const double g_eps[G_BN] = { 1e-5, 0.8, 0.8 };
static const int g_conv[G_CONV] = { 2, 6, 9 };
static const int d_conv[D_CONV] = { 0, 3, 7, 11 };
static const int d_drop[D_CONV] = { 2, 5, 9, 13 };
static const int d_bn[D_BN] = { 6, 10, 14 };

struct bn {
	struct vt_nn_val *w, *b, *rm, *rv;
};

struct dcgan {
	struct vt_nn_val *l1w, *l1b;
	struct vt_nn_val *gcw[G_CONV], *gcb[G_CONV];
	struct bn gbn[G_BN];
	struct vt_nn_val *dcw[D_CONV], *dcb[D_CONV];
	struct bn dbn[D_BN];
	struct vt_nn_val *aw, *ab;
	char names[64][64];
	int nnames;
};

static struct vt_nn_val *load(const struct vt_record *rec, struct dcgan *m,
			      const char *net, const char *fmt, int layer,
			      const char *what)
{
	char *name = m->names[m->nnames++], full[160], part[32];

	snprintf(part, sizeof part, fmt, layer);
	snprintf(name, sizeof m->names[0], "%s.%s", part, what);
	snprintf(full, sizeof full, "%s.%s", net, name);
	return t_nnfix_param(t_nnfix_get(rec, full), VT_F32, name);
}

static void load_bn(const struct vt_record *rec, struct dcgan *m,
		    struct bn *b, const char *net, const char *fmt, int layer)
{
	b->w = load(rec, m, net, fmt, layer, "weight");
	b->b = load(rec, m, net, fmt, layer, "bias");
	b->rm = load(rec, m, net, fmt, layer, "running_mean");
	b->rv = load(rec, m, net, fmt, layer, "running_var");
}

static void dcgan_load(struct dcgan *m, const struct vt_record *rec)
{
	memset(m, 0, sizeof *m);
	m->l1w = load(rec, m, "G", "l1.%d", 0, "weight");
	m->l1b = load(rec, m, "G", "l1.%d", 0, "bias");
	for (int i = 0; i < G_BN; i++)
		load_bn(rec, m, &m->gbn[i], "G", "conv_blocks.%d", g_bn[i]);
	for (int i = 0; i < G_CONV; i++) {
		m->gcw[i] = load(rec, m, "G", "conv_blocks.%d", g_conv[i],
				 "weight");
		m->gcb[i] = load(rec, m, "G", "conv_blocks.%d", g_conv[i],
				 "bias");
	}
	for (int i = 0; i < D_CONV; i++) {
		m->dcw[i] = load(rec, m, "D", "model.%d", d_conv[i], "weight");
		m->dcb[i] = load(rec, m, "D", "model.%d", d_conv[i], "bias");
	}
	for (int i = 0; i < D_BN; i++)
		load_bn(rec, m, &m->dbn[i], "D", "model.%d", d_bn[i]);
	m->aw = load(rec, m, "D", "adv_layer.%d", 0, "weight");
	m->ab = load(rec, m, "D", "adv_layer.%d", 0, "bias");
}

static void free_bn(struct bn *b)
{
	vt_nn_param_free(b->w);
	vt_nn_param_free(b->b);
	vt_nn_param_free(b->rm);
	vt_nn_param_free(b->rv);
}

static void dcgan_free(struct dcgan *m)
{
	vt_nn_param_free(m->l1w);
	vt_nn_param_free(m->l1b);
	for (int i = 0; i < G_BN; i++)
		free_bn(&m->gbn[i]);
	for (int i = 0; i < G_CONV; i++) {
		vt_nn_param_free(m->gcw[i]);
		vt_nn_param_free(m->gcb[i]);
	}
	for (int i = 0; i < D_CONV; i++) {
		vt_nn_param_free(m->dcw[i]);
		vt_nn_param_free(m->dcb[i]);
	}
	for (int i = 0; i < D_BN; i++)
		free_bn(&m->dbn[i]);
	vt_nn_param_free(m->aw);
	vt_nn_param_free(m->ab);
}

/* G's trainable parameters in state_dict order */
static int g_params(struct dcgan *m, struct vt_nn_val **p)
{
	int n = 0;

	p[n++] = m->l1w;
	p[n++] = m->l1b;
	p[n++] = m->gbn[0].w;
	p[n++] = m->gbn[0].b;
	for (int i = 0; i < 2; i++) {
		p[n++] = m->gcw[i];
		p[n++] = m->gcb[i];
		p[n++] = m->gbn[i + 1].w;
		p[n++] = m->gbn[i + 1].b;
	}
	p[n++] = m->gcw[2];
	p[n++] = m->gcb[2];
	return n;
}

static int d_params(struct dcgan *m, struct vt_nn_val **p)
{
	int n = 0;

	for (int i = 0; i < D_CONV; i++) {
		p[n++] = m->dcw[i];
		p[n++] = m->dcb[i];
		if (i) {
			p[n++] = m->dbn[i - 1].w;
			p[n++] = m->dbn[i - 1].b;
		}
	}
	p[n++] = m->aw;
	p[n++] = m->ab;
	return n;
}

static struct vt_nn_val *bn2d(struct vt_nn_graph *g, struct bn *b,
			      struct vt_nn_val *x, double eps)
{
	return vt_nn_batch_norm2d(g, x, b->w, b->b, b->rm, b->rv, true, 0.1,
				  eps);
}

static struct vt_nn_val *gen_forward(struct vt_nn_graph *g, struct dcgan *m,
				     struct vt_nn_val *z)
{
	struct vt_nn_val *h = vt_nn_linear(g, z, m->l1w, m->l1b);

	h = vt_nn_reshape(g, h, 4, (int64_t[]){ -1, 128, 8, 8 });
	h = bn2d(g, &m->gbn[0], h, g_eps[0]);
	for (int i = 0; i < 2; i++) {
		/* Upsample + Conv2d(3, 1, 1), fused */
		h = vt_nn_upsample2x_conv2d(g, h, m->gcw[i], m->gcb[i], 1, 1);
		h = bn2d(g, &m->gbn[i + 1], h, g_eps[i + 1]);
		h = vt_nn_leaky_relu(g, h, 0.2);
	}
	h = vt_nn_conv2d(g, h, m->gcw[2], m->gcb[2], 1, 1);
	return vt_nn_tanh(g, h);
}

/* masks: keep [N,C] per dropout layer, or NULL (p = 0: the identity) */
static struct vt_nn_val *disc_forward(struct vt_nn_graph *g, struct dcgan *m,
				      struct vt_nn_val *img,
				      struct vt_nn_val **masks)
{
	struct vt_nn_val *h = img;

	for (int i = 0; i < D_CONV; i++) {
		h = vt_nn_conv2d(g, h, m->dcw[i], m->dcb[i], 2, 1);
		h = vt_nn_leaky_relu(g, h, 0.2);
		if (masks)
			h = vt_nn_dropout2d_mask(g, h, masks[i], 0.25);
		if (i)
			h = bn2d(g, &m->dbn[i - 1], h, 0.8);
	}
	h = vt_nn_reshape(g, h, 2, (int64_t[]){ -1, 512 });
	return vt_nn_sigmoid(g, vt_nn_linear(g, h, m->aw, m->ab));
}

static void ok(struct vt_nn_graph *g)
{
	struct vt_err err = { 0 };

	cr_assert_eq(vt_nn_graph_status(g, &err), 0, "%s", err.msg);
}

/* gradients against group.net.<name>; the floor is 0.1 group.net@absmax;
 * D.adv_layer.0.bias gets the README's 3e-4 */
static double cmp_grads(const struct vt_record *rec, const char *group,
			const char *net, int n, struct vt_nn_val **params,
			struct vt_nn_val **grads, const char **at)
{
	char b[256];
	double floor, worst = 0, r;

	snprintf(b, sizeof b, "%s.%s@absmax", group, net);
	floor = 0.1 * t_nnfix_scalar(rec, b);
	for (int i = 0; i < n; i++) {
		double tol = strcmp(params[i]->name, "adv_layer.0.bias")
				     ? TOL_GRAD : TOL_ADV;

		snprintf(b, sizeof b, "%s.%s.%s", group, net, params[i]->name);
		r = t_nnfix_cmp(rec, b, grads[i]->dtype, grads[i]->data,
				grads[i]->numel,
				grads[i]->numel / (size_t)grads[i]->shape[0],
				tol, floor, TOL_GRAD);
		if (r >= worst) {
			worst = r;
			*at = params[i]->name;
		}
	}
	return worst;
}

static void cmp_bn(const struct vt_record *rec, const char *pre,
		   const char *net, const int *layers, struct bn *b, int n,
		   int64_t calls)
{
	char s[256];

	for (int i = 0; i < n; i++) {
		snprintf(s, sizeof s, "%s.%d.running_mean", pre, layers[i]);
		t_nnfix_cmp_val(rec, s, b[i].rm, TOL_BN, 0);
		snprintf(s, sizeof s, "%s.%d.running_var", pre, layers[i]);
		t_nnfix_cmp_val(rec, s, b[i].rv, TOL_BN, 0);
		/* num_batches_tracked is the caller's count of BN calls */
		snprintf(s, sizeof s, "%s.%d.num_batches_tracked", pre,
			 layers[i]);
		cr_assert_eq(*(const int64_t *)t_nnfix_get(rec, s)->data, calls,
			     "%s (%s)", s, net);
	}
}

static void dcgan_step(bool drop)
{
	struct vt_record rec;
	struct vt_nn_graph *g;
	struct dcgan m;
	struct vt_nn_val *gp[16], *dp[20], *gg[17], *dg[20], *ins[17];
	struct vt_nn_val *masks[3][D_CONV];
	struct vt_nn_val *z, *real, *gen, *d_gen, *ones, *zeros, *g_loss;
	struct vt_nn_val *d_real, *d_fake, *dr_loss, *df_loss, *d_loss;
	struct vt_err err = { 0 };
	const char *pre = drop ? "drop." : "", *at = "";
	double w;
	char b[256], p2[64];
	int ng, nd;

	if (!t_nnfix_dir())
		cr_skip_test("../shared/fixtures/gan not present "
			     "(set VT_GAN_FIXTURES)");
	t_nnfix_load(&rec, "dcgan.safetensors");
	dcgan_load(&m, &rec);
	ng = g_params(&m, gp);
	nd = d_params(&m, dp);
	cr_assert_eq(ng, 14);
	cr_assert_eq(nd, 16);
	cr_assert_eq(vt_nn_graph_new(&g, &err), 0);
	z = t_nnfix_val(g, t_nnfix_get(&rec, "z"), VT_F32, false);
	real = t_nnfix_val(g, t_nnfix_get(&rec, "real"), VT_F32, false);
	ones = vt_nn_full(g, VT_F32, 2, (int64_t[]){ 8, 1 }, 1);
	zeros = vt_nn_full(g, VT_F32, 2, (int64_t[]){ 8, 1 }, 0);
	for (int c = 0; c < 3 && drop; c++)
		for (int i = 0; i < D_CONV; i++) {
			snprintf(b, sizeof b, "drop.mask.call%d.D.model.%d",
				 c + 1, d_drop[i]);
			masks[c][i] = t_nnfix_val(g, t_nnfix_get(&rec, b),
						  VT_F32, false);
		}
#define NAME(s) (snprintf(b, sizeof b, "%s%s", pre, s), b)
#define CALL(k) (snprintf(p2, sizeof p2, "%sbn.D.call%d.model", pre, k), p2)

	/* G step: g_loss = BCE(D(G(z)), 1), D call 1 */
	gen = gen_forward(g, &m, z);
	ok(g);
	t_nnfix_cmp_val(&rec, "gen", gen, TOL_OUT, 0);
	cmp_bn(&rec, "bn.G.conv_blocks", "G", g_bn, m.gbn, G_BN, 1);
	d_gen = disc_forward(g, &m, gen, drop ? masks[0] : NULL);
	g_loss = vt_nn_bce(g, d_gen, ones);
	ok(g);
	cmp_bn(&rec, CALL(1), "D", d_bn, m.dbn, D_BN, 1);
	t_nnfix_cmp_val(&rec, drop ? "drop.d_gen" : "d_fake", d_gen, TOL_OUT,
			0);
	t_nnfix_cmp_val(&rec, NAME("g_loss"), g_loss, TOL_OUT, 0);
	memcpy(ins, gp, sizeof gp[0] * (size_t)ng);
	ins[ng] = gen;
	cr_assert_eq(vt_nn_grad(g, 1, &g_loss, NULL, ng + 1, ins, gg, false),
		     0);
	t_nnfix_cmp_val(&rec, NAME("grad_g.gen"), gg[ng], TOL_GRAD, 0);
	snprintf(p2, sizeof p2, "%sgrad_g", pre);
	w = cmp_grads(&rec, p2, "G", ng, gp, gg, &at);
	cr_log_info("dcgan %s: worst G gradient ratio %.3g (%s)", pre, w, at);

	/* D step: calls 2 (real) and 3 (gen.detach()) */
	d_real = disc_forward(g, &m, real, drop ? masks[1] : NULL);
	ok(g);
	cmp_bn(&rec, CALL(2), "D", d_bn, m.dbn, D_BN, 2);
	d_fake = disc_forward(g, &m, vt_nn_detach(g, gen),
			      drop ? masks[2] : NULL);
	ok(g);
	cmp_bn(&rec, CALL(3), "D", d_bn, m.dbn, D_BN, 3);
	dr_loss = vt_nn_bce(g, d_real, ones);
	df_loss = vt_nn_bce(g, d_fake, zeros);
	d_loss = vt_nn_scale(g, vt_nn_add(g, dr_loss, df_loss), 0.5);
	ok(g);
	t_nnfix_cmp_val(&rec, NAME("d_real"), d_real, TOL_OUT, 0);
	t_nnfix_cmp_val(&rec, NAME("d_fake"), d_fake, TOL_OUT, 0);
	t_nnfix_cmp_val(&rec, NAME("d_real_loss"), dr_loss, TOL_OUT, 0);
	t_nnfix_cmp_val(&rec, NAME("d_fake_loss"), df_loss, TOL_OUT, 0);
	t_nnfix_cmp_val(&rec, NAME("d_loss"), d_loss, TOL_OUT, 0);
	cr_assert_eq(vt_nn_grad(g, 1, &d_loss, NULL, nd, dp, dg, false), 0);
	snprintf(p2, sizeof p2, "%sgrad_d", pre);
	w = cmp_grads(&rec, p2, "D", nd, dp, dg, &at);
	cr_log_info("dcgan %s: worst D gradient ratio %.3g (%s)", pre, w, at);
#undef NAME
#undef CALL
	vt_nn_graph_free(g);
	dcgan_free(&m);
	vt_record_release(&rec);
}

Test(nn_dcgan, step_matches_pytorch)
{
	dcgan_step(false);
}

Test(nn_dcgan, dropout2d_step_with_stored_masks)
{
	dcgan_step(true);
}
