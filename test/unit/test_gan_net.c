/* test_gan_net.c - gan-train's own networks (lib/gan/net.c) against the
 * PyTorch fixtures: the parameters are loaded through the checkpoint entry
 * names, so this also proves that the names are the collection's
 * state_dict keys.  Tolerances as in doc/nn-tolerances.md. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "nnfix.h"
#include "vt/gan_train.h"

#define TOL_OUT 1e-5
#define TOL_GRAD 1e-4
#define TOL_BN 1e-5

static void skip_without_fixtures(void)
{
	if (!t_nnfix_dir())
		cr_skip_test("../shared/fixtures/gan not present "
			     "(set VT_GAN_FIXTURES)");
}

/* every G./D. entry of the trainer from the fixture tensor of its name */
static void load_params(struct vt_gan_trainer *t, const struct vt_record *r)
{
	size_t loaded = 0;

	for (size_t i = 0; i < t->n_entries; i++) {
		const struct vt_gan_entry *e = &t->entries[i];
		const struct vt_tensor *f;
		size_t n = 1;

		if (strncmp(e->name, "G.", 2) && strncmp(e->name, "D.", 2))
			continue;
		f = t_nnfix_get(r, e->name);
		cr_assert_eq(f->dtype, e->dtype, "%s: dtype", e->name);
		cr_assert_eq(f->rank, e->rank, "%s: rank", e->name);
		for (int d = 0; d < e->rank; d++) {
			cr_assert_eq(f->shape[d], e->shape[d], "%s: shape",
				     e->name);
			n *= e->shape[d];
		}
		memcpy(e->data, f->data, n * vt_dtype_size(e->dtype));
		loaded++;
	}
	cr_assert_gt(loaded, 10);
}

static void cmp_grads(const struct vt_record *r, const char *group,
		      struct vt_gan_net *net)
{
	char name[160];
	double floor;

	snprintf(name, sizeof name, "%s.%s@absmax", group, net->prefix);
	floor = 0.1 * t_nnfix_scalar(r, name);
	for (int i = 0; i < net->n_params; i++) {
		struct vt_nn_val *p = net->params[i];

		snprintf(name, sizeof name, "%s.%s", group, p->name);
		t_nnfix_cmp(r, name, VT_F32, p->grad, p->numel,
			    p->numel / (size_t)p->shape[0], TOL_GRAD, floor,
			    TOL_GRAD);
	}
}

static void cmp_bn(const struct vt_record *r, const char *prefix,
		   struct vt_gan_net *net)
{
	char name[160];
	int seen = 0;

	for (int i = 0; i < net->n; i++) {
		struct vt_gan_layer *l = &net->layers[i];

		if (!l->running_mean)
			continue;
		/* "bn.G.model.3.running_mean" from "G.model.3.running_mean" */
		snprintf(name, sizeof name, "%s%s", prefix, l->mname + 2);
		t_nnfix_cmp_val(r, name, l->running_mean, TOL_BN, 0);
		snprintf(name, sizeof name, "%s%s", prefix, l->vname + 2);
		t_nnfix_cmp_val(r, name, l->running_var, TOL_BN, 0);
		seen++;
	}
	cr_assert_gt(seen, 0);
}

static void check_family(const char *file, enum vt_gan_family f)
{
	struct vt_gan_config cfg;
	struct vt_gan_trainer t;
	struct vt_record rec;
	struct vt_err err = { 0 };
	struct vt_rng rng;
	struct vt_gan_mode mode = { true, true, &rng };
	struct vt_nn_graph *g;
	struct vt_nn_val *z, *real, *gen, *d_fake, *y1, *y0, *g_loss, *d_loss;
	struct vt_nn_val *d_real, *d_fake2;
	char prefix[32];

	skip_without_fixtures();
	t_nnfix_load(&rec, file);
	vt_gan_config_defaults(&cfg, f);
	cfg.dropout = 0;        /* the fixture's main variant */
	cr_assert_eq(vt_gan_trainer_init(&t, &cfg, NULL, 0, &err), 0, "%s",
		     err.msg);
	load_params(&t, &rec);
	vt_rng_seed(&rng, 1, 1);
	g = t.graph;
	z = t_nnfix_val(g, t_nnfix_get(&rec, "z"), VT_F32, false);
	real = t_nnfix_val(g, t_nnfix_get(&rec, "real"), VT_F32, false);

	/* G step */
	gen = vt_gan_net_forward(&t.G, g, z, &mode);
	d_fake = vt_gan_net_forward(&t.D, g, gen, &mode);
	cr_assert_not_null(d_fake);
	y1 = vt_nn_full(g, VT_F32, d_fake->rank, d_fake->shape, 1);
	y0 = vt_nn_full(g, VT_F32, d_fake->rank, d_fake->shape, 0);
	g_loss = vt_nn_bce(g, d_fake, y1);
	cr_assert_eq(vt_nn_graph_status(g, &err), 0, "%s", err.msg);
	t_nnfix_cmp_val(&rec, "gen", gen, TOL_OUT, 0);
	t_nnfix_cmp_val(&rec, "d_fake", d_fake, TOL_OUT, 0);
	t_nnfix_cmp_val(&rec, "g_loss", g_loss, TOL_OUT, 0);
	cmp_bn(&rec, "bn.G.", &t.G);
	vt_nn_optim_zero_grad(&t.opt_g);
	cr_assert_eq(vt_nn_backward(g, g_loss, t.G.n_params, t.G.params), 0);
	cmp_grads(&rec, "grad_g", &t.G);

	/* D step (D's parameters are still the initial ones) */
	d_real = vt_nn_bce(g, vt_gan_net_forward(&t.D, g, real, &mode), y1);
	d_fake2 = vt_nn_bce(g, vt_gan_net_forward(&t.D, g,
						  vt_nn_detach(g, gen), &mode),
			    y0);
	d_loss = vt_nn_scale(g, vt_nn_add(g, d_real, d_fake2), 0.5);
	cr_assert_eq(vt_nn_graph_status(g, &err), 0, "%s", err.msg);
	t_nnfix_cmp_val(&rec, "d_loss", d_loss, TOL_OUT, 0);
	vt_nn_optim_zero_grad(&t.opt_d);
	cr_assert_eq(vt_nn_backward(g, d_loss, t.D.n_params, t.D.params), 0);
	cmp_grads(&rec, "grad_d", &t.D);
	/* dcgan: D's statistics after its three calls (G step, real, fake) */
	snprintf(prefix, sizeof prefix, "bn.D.call3.");
	if (t_nnfix_opt(&rec, "bn.D.call3.model.6.running_mean")) {
		/* the names are "bn.D.call3.model.6..." for "D.model.6..." */
		for (int i = 0; i < t.D.n; i++) {
			struct vt_gan_layer *l = &t.D.layers[i];
			char name[160];

			if (!l->running_mean)
				continue;
			snprintf(name, sizeof name, "%s%s", prefix,
				 l->mname + 2);
			t_nnfix_cmp_val(&rec, name, l->running_mean, TOL_BN,
					0);
		}
	}
	vt_gan_trainer_release(&t);
	vt_record_release(&rec);
}

Test(gan_net, mlp_gan_matches_pytorch)
{
	check_family("mlp_gan.safetensors", VT_GAN_GAN);
}

Test(gan_net, dcgan_matches_pytorch)
{
	check_family("dcgan.safetensors", VT_GAN_DCGAN);
}
