/* train.c - one training step of each family, and the trainer's state.
 *
 * Step orders (PyTorch-GAN's scripts):
 *   gan, dcgan, lsgan (BCE or least squares): G step on D(G(z)) against
 *     "valid", then D step on real against valid and G(z).detach() against
 *     "fake", d_loss = (real + fake) / 2.
 *   wgan, wgan_gp (Wasserstein): critic step on -E[D(x)] + E[D(G(z))]
 *     (+ lambda * gradient penalty at random interpolates, wgan_gp), weight
 *     clipping after it (wgan); every n_critic-th step a G step on
 *     -E[D(G(z))] with the same z.  The critic's loss does not reach G: the
 *     collection's wgan_gp lets it back-propagate into G and then discards
 *     it with zero_grad, so detaching gives the same parameters for less
 *     work.  n_critic counts global steps rather than batches within the
 *     epoch, as in the paper's algorithm.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/size.h"
#include "vt/gan_train.h"

/* random streams of a run (vt_rng_seed's second argument) */
enum {
	STREAM_INIT = 1,
	STREAM_NOISE,
	STREAM_DROP,
	STREAM_DATA,
	STREAM_SAMPLE,
};

#define N_FIXED 25

uint64_t vt_gan_trainer_batches_per_epoch(const struct vt_gan_trainer *t)
{
	return t->data ? vt_gan_batcher_per_epoch(&t->batcher) : 0;
}

static int optim_init(struct vt_nn_optim *o, const struct vt_gan_config *c,
		      struct vt_gan_net *net, struct vt_err *err)
{
	static const enum vt_nn_optim_kind kinds[VT_GAN_OPTIM_COUNT] = {
		[VT_GAN_OPTIM_ADAM] = VT_NN_ADAM,
		[VT_GAN_OPTIM_RMSPROP] = VT_NN_RMSPROP,
		[VT_GAN_OPTIM_SGD] = VT_NN_SGD,
	};
	struct vt_nn_optim_cfg oc = vt_nn_optim_defaults(kinds[c->optimizer],
							 c->lr);

	oc.beta1 = c->b1;
	oc.beta2 = c->b2;
	oc.eps = c->eps;
	oc.alpha = c->rms_alpha;
	oc.momentum = c->momentum;
	oc.weight_decay = c->weight_decay;
	return vt_nn_optim_init(o, &oc, net->n_params, net->params, err);
}

/* ------------------------------------------------------------------ */
/* Checkpoint entries                                                   */

static int entry(struct vt_gan_trainer *t, const char *name, bool own,
		 enum vt_dtype dt, int rank, const int64_t *shape, void *data,
		 struct vt_err *err)
{
	struct vt_gan_entry *e;

	if (t->n_entries % 64 == 0) {
		void *p = realloc(t->entries,
				  (t->n_entries + 64) * sizeof *t->entries);

		if (!p)
			return vt_err_set(err, VT_ENOMEM,
					  "out of memory for checkpoint entries");
		t->entries = p;
	}
	e = &t->entries[t->n_entries];
	memset(e, 0, sizeof *e);
	e->name = own ? strdup(name) : name;
	if (!e->name)
		return vt_err_set(err, VT_ENOMEM,
				  "out of memory for checkpoint entries");
	e->dtype = dt;
	e->rank = rank;
	for (int i = 0; i < rank; i++)
		e->shape[i] = (uint64_t)shape[i];
	e->data = data;
	t->n_entries++;
	return 0;
}

static int param_entry(struct vt_gan_trainer *t, struct vt_nn_val *p,
		       struct vt_err *err)
{
	return entry(t, p->name, false, VT_F32, p->rank, p->shape, p->data,
		     err);
}

static int net_entries(struct vt_gan_trainer *t, struct vt_gan_net *net,
		       struct vt_err *err)
{
	int rc = 0;

	for (int i = 0; i < net->n && !rc; i++) {
		struct vt_gan_layer *l = &net->layers[i];

		if (l->w)
			rc = param_entry(t, l->w, err);
		if (!rc && l->b)
			rc = param_entry(t, l->b, err);
		if (!rc && l->running_mean)
			rc = param_entry(t, l->running_mean, err);
		if (!rc && l->running_var)
			rc = param_entry(t, l->running_var, err);
		if (!rc && l->running_mean)
			rc = entry(t, l->tname, false, VT_I64, 0, NULL,
				   &l->num_batches_tracked, err);
	}
	return rc;
}

static int optim_entries(struct vt_gan_trainer *t, struct vt_nn_optim *o,
			 const char *net, struct vt_err *err)
{
	static const char *const s1[VT_NN_OPTIM_COUNT] = {
		[VT_NN_ADAM] = "exp_avg",
		[VT_NN_RMSPROP] = "square_avg",
		[VT_NN_SGD] = "momentum_buffer",
	};
	char name[2 * VT_GAN_NAME_MAX];
	int rc = 0;

	snprintf(name, sizeof name, "opt.%s.step", net);
	rc = entry(t, name, true, VT_I64, 0, NULL, &o->step, err);
	for (int i = 0; i < o->n && !rc; i++) {
		struct vt_nn_val *p = o->params[i];

		snprintf(name, sizeof name, "opt.%s.%s", p->name,
			 s1[o->cfg.kind]);
		rc = entry(t, name, true, VT_F32, p->rank, p->shape,
			   o->state1[i], err);
		if (!rc && o->state2[i]) {
			snprintf(name, sizeof name, "opt.%s.exp_avg_sq",
				 p->name);
			rc = entry(t, name, true, VT_F32, p->rank, p->shape,
				   o->state2[i], err);
		}
	}
	return rc;
}

/* names this file allocated: the ones starting with "opt." */
static bool owned(const char *name)
{
	return strncmp(name, "opt.", 4) == 0;
}

static int build_entries(struct vt_gan_trainer *t, struct vt_err *err)
{
	int64_t rs[1] = { VT_GAN_RNG_BYTES };
	int64_t ps[1];
	static const char *const rng_names[3] = {
		"rng.noise", "rng.drop", "rng.data"
	};
	static const char *const counter_names[6] = {
		"train.step", "train.g_steps", "data.pos", "data.epoch",
		"data.started", "data.n"
	};
	int rc;

	rc = net_entries(t, &t->G, err);
	if (!rc)
		rc = net_entries(t, &t->D, err);
	if (!rc)
		rc = optim_entries(t, &t->opt_g, "G", err);
	if (!rc)
		rc = optim_entries(t, &t->opt_d, "D", err);
	for (int i = 0; i < 3 && !rc; i++)
		rc = entry(t, rng_names[i], false, VT_U8, 1, rs,
			   t->rng_bytes[i], err);
	for (int i = 0; i < 6 && !rc; i++)
		rc = entry(t, counter_names[i], false, VT_U64, 0, NULL,
			   &t->counters[i], err);
	if (!rc) {
		/* the latest losses (a G loss is not computed every step) */
		ps[0] = VT_GAN_MAX_LOSSES;
		rc = entry(t, "train.losses", false, VT_F64, 1, ps, t->losses,
			   err);
	}
	if (!rc && t->data) {
		ps[0] = (int64_t)t->batcher.n;
		rc = entry(t, "data.perm", false, VT_U64, 1, ps,
			   t->batcher.perm, err);
	}
	return rc;
}

/* ------------------------------------------------------------------ */

int vt_gan_trainer_init(struct vt_gan_trainer *t,
			const struct vt_gan_config *cfg,
			const struct vt_gan_data *data, uint64_t total,
			struct vt_err *err)
{
	struct vt_rng init, sample;
	size_t latent = cfg->latent_dim;
	int rc;

	memset(t, 0, sizeof *t);
	t->cfg = *cfg;
	t->data = data;
	t->total = total;
	if (data && data->n % cfg->batch_size == 1 && data->n > 1)
		return vt_err_set(err, VT_EINVAL,
				  "%llu images in batches of %u leave a last "
				  "batch of one image, on which batch norm "
				  "cannot train; choose another batch size",
				  (unsigned long long)data->n,
				  cfg->batch_size);
	if (data && (data->c != cfg->channels || data->h != cfg->img_size ||
		     data->w != cfg->img_size))
		return vt_err_set(err, VT_EINVAL,
				  "data are %llux%llux%llu, the config says "
				  "%ux%ux%u",
				  (unsigned long long)data->c,
				  (unsigned long long)data->h,
				  (unsigned long long)data->w, cfg->channels,
				  cfg->img_size, cfg->img_size);
	vt_rng_seed(&init, cfg->seed, STREAM_INIT);
	vt_rng_seed(&t->rng_noise, cfg->seed, STREAM_NOISE);
	vt_rng_seed(&t->rng_drop, cfg->seed, STREAM_DROP);
	vt_rng_seed(&t->rng_data, cfg->seed, STREAM_DATA);
	vt_rng_seed(&sample, cfg->seed, STREAM_SAMPLE);
	rc = vt_gan_net_build_g(&t->G, cfg, &init, err);
	if (!rc)
		rc = vt_gan_net_build_d(&t->D, cfg, &init, err);
	if (!rc)
		rc = optim_init(&t->opt_g, cfg, &t->G, err);
	if (!rc)
		rc = optim_init(&t->opt_d, cfg, &t->D, err);
	if (!rc)
		rc = vt_nn_graph_new(&t->graph, err);
	if (!rc && data)
		rc = vt_gan_batcher_init(&t->batcher, data->n,
					 cfg->batch_size, err);
	if (!rc) {
		t->fixed_z = vt_malloc_array(N_FIXED * latent,
					     sizeof *t->fixed_z);
		if (data)
			t->batch = vt_malloc_array(
				(size_t)cfg->batch_size * data->c * data->h *
				data->w, sizeof *t->batch);
		if (!t->fixed_z || (data && !t->batch))
			rc = vt_err_set(err, VT_ENOMEM,
					"out of memory for the batches");
	}
	if (!rc) {
		for (size_t i = 0; i < N_FIXED * latent; i++)
			t->fixed_z[i] = (float)vt_rng_normal(&sample);
		rc = build_entries(t, err);
	}
	if (rc) {
		vt_gan_trainer_release(t);
		return rc;
	}
	t->lr = cfg->lr;
	t->loss_names[t->n_losses++] = "d_loss";
	t->loss_names[t->n_losses++] = "g_loss";
	if (cfg->lambda_gp > 0)
		t->loss_names[t->n_losses++] = "gp";
	for (int i = 0; i < t->n_losses; i++)
		t->losses[i] = NAN;
	return 0;
}

void vt_gan_trainer_release(struct vt_gan_trainer *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_entries; i++)
		if (owned(t->entries[i].name))
			free((char *)t->entries[i].name);
	free(t->entries);
	vt_nn_optim_release(&t->opt_g);
	vt_nn_optim_release(&t->opt_d);
	vt_gan_net_release(&t->G);
	vt_gan_net_release(&t->D);
	vt_nn_graph_free(t->graph);
	if (t->data)
		vt_gan_batcher_release(&t->batcher);
	free(t->batch);
	free(t->fixed_z);
	memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------ */
/* Steps                                                                */

static struct vt_nn_val *noise(struct vt_gan_trainer *t, size_t n)
{
	int64_t shape[2] = { (int64_t)n, t->cfg.latent_dim };
	struct vt_nn_val *z = vt_nn_new(t->graph, VT_F32, 2, shape);

	if (z) {
		float *d = z->data;

		for (size_t i = 0; i < z->numel; i++)
			d[i] = (float)vt_rng_normal(&t->rng_noise);
	}
	return z;
}

static struct vt_nn_val *forward(struct vt_gan_trainer *t,
				 struct vt_gan_net *net, struct vt_nn_val *x)
{
	struct vt_gan_mode m = { true, true, &t->rng_drop };

	return vt_gan_net_forward(net, t->graph, x, &m);
}

/* the family's adversarial loss of d against a constant target */
static struct vt_nn_val *adv_loss(struct vt_gan_trainer *t,
				  struct vt_nn_val *d, double target)
{
	struct vt_nn_val *y;

	if (!d)
		return NULL;
	y = vt_nn_full(t->graph, VT_F32, d->rank, d->shape, target);

	return t->cfg.loss == VT_GAN_LOSS_MSE ? vt_nn_mse(t->graph, d, y) :
						vt_nn_bce(t->graph, d, y);
}

static int finite_or_fail(struct vt_gan_trainer *t, struct vt_nn_val *v,
			  int k, struct vt_err *err)
{
	double x;
	int rc = vt_nn_graph_status(t->graph, err);

	if (rc)
		return rc;
	x = vt_nn_get(v, 0);
	t->losses[k] = x;
	if (!isfinite(x))
		return vt_err_set(err, VT_EFORMAT,
				  "step %llu: %s is %g; stopped before the "
				  "update",
				  (unsigned long long)t->step + 1,
				  t->loss_names[k], x);
	return 0;
}

static int update(struct vt_gan_trainer *t, struct vt_nn_optim *o,
		  struct vt_gan_net *net, struct vt_nn_val *loss,
		  struct vt_err *err)
{
	int rc, bad;

	/* the gradients are zero here: new parameters start so, and every
	 * update leaves them so (vt_nn_optim_step_zero) */
	rc = vt_nn_backward(t->graph, loss, net->n_params, net->params);
	if (!rc)
		rc = vt_nn_graph_status(t->graph, err);
	else
		vt_nn_graph_status(t->graph, err);
	if (rc)
		return rc;
	bad = vt_nn_optim_nonfinite(o);
	if (bad >= 0) {
		vt_nn_optim_zero_grad(o);
		return vt_err_set(err, VT_EFORMAT, "step %llu: the gradient of "
				  "%s is not finite; stopped before the update",
				  (unsigned long long)t->step + 1,
				  o->params[bad]->name);
	}
	o->cfg.lr = t->lr;
	vt_nn_optim_step_zero(o);
	return 0;
}

static int step_standard(struct vt_gan_trainer *t, struct vt_nn_val *real,
			 struct vt_err *err)
{
	struct vt_nn_graph *g = t->graph;
	struct vt_nn_val *z, *gen, *d_gen, *g_loss, *d_loss, *d_real, *d_fake;
	int rc;

	z = noise(t, (size_t)real->shape[0]);
	gen = forward(t, &t->G, z);
	d_gen = forward(t, &t->D, gen);
	g_loss = adv_loss(t, d_gen, 1.0);
	rc = finite_or_fail(t, g_loss, 1, err);
	if (!rc)
		rc = update(t, &t->opt_g, &t->G, g_loss, err);
	if (rc)
		return rc;
	t->g_steps++;
	/* real first, then fake: each call moves D's running statistics and
	 * draws dropout masks, so the order is part of the result */
	d_real = adv_loss(t, forward(t, &t->D, real), 1.0);
	/* D(gen.detach()) has D(gen)'s values when D keeps no state (no batch
	 * norm, no dropout) and has not been updated since: reuse them (the
	 * D loss's backward is restricted to D's parameters, so nothing flows
	 * into G) */
	if (!vt_gan_net_stateless(&t->D))
		d_gen = forward(t, &t->D, vt_nn_detach(g, gen));
	d_fake = adv_loss(t, d_gen, 0.0);
	d_loss = vt_nn_scale(g, vt_nn_add(g, d_real, d_fake), 0.5);
	rc = finite_or_fail(t, d_loss, 0, err);
	if (!rc)
		rc = update(t, &t->opt_d, &t->D, d_loss, err);
	return rc;
}

/* lambda * mean((|grad_x D(x)|_2 - 1)^2) at x = a real + (1 - a) fake */
static struct vt_nn_val *penalty(struct vt_gan_trainer *t,
				 struct vt_nn_val *real,
				 struct vt_nn_val *fake)
{
	struct vt_nn_graph *g = t->graph;
	size_t n = (size_t)real->shape[0], per = real->numel / n;
	const float *r = real->data, *f = fake->data;
	struct vt_nn_val *x, *d, *gr = NULL;
	int64_t flat[2] = { (int64_t)n, -1 };
	float *xd;

	x = vt_nn_new(g, VT_F32, real->rank, real->shape);
	if (!x)
		return NULL;
	xd = x->data;
	for (size_t i = 0; i < n; i++) {
		float a = vt_rng_uniform_f32(&t->rng_noise);

		for (size_t j = 0; j < per; j++)
			xd[i * per + j] = a * r[i * per + j] +
					  (1 - a) * f[i * per + j];
	}
	x = vt_nn_input(g, VT_F32, x->rank, x->shape, xd);
	d = forward(t, &t->D, x);
	if (!d || vt_nn_grad(g, 1, &d, NULL, 1, &x, &gr, true))
		return NULL;
	gr = vt_nn_reshape(g, gr, 2, flat);
	gr = vt_nn_sqrt(g, vt_nn_sum_dim(g, vt_nn_mul(g, gr, gr), 1, false));
	gr = vt_nn_mean(g, vt_nn_pow(g, vt_nn_add_scalar(g, gr, -1.0), 2.0));
	return vt_nn_scale(g, gr, t->cfg.lambda_gp);
}

static int step_wasserstein(struct vt_gan_trainer *t, struct vt_nn_val *real,
			    struct vt_err *err)
{
	struct vt_nn_graph *g = t->graph;
	struct vt_nn_val *z, *fake, *d_loss, *g_loss, *gp = NULL;
	struct vt_nn_val *d_real, *d_fake;
	int rc;

	z = noise(t, (size_t)real->shape[0]);
	fake = vt_nn_detach(g, forward(t, &t->G, z));
	/* real, then fake (the order of the running statistics' updates) */
	d_real = vt_nn_mean(g, forward(t, &t->D, real));
	d_fake = vt_nn_mean(g, forward(t, &t->D, fake));
	d_loss = vt_nn_sub(g, d_fake, d_real);
	if (t->cfg.lambda_gp > 0 && fake) {
		gp = penalty(t, real, fake);
		d_loss = vt_nn_add(g, d_loss, gp);
	}
	rc = finite_or_fail(t, d_loss, 0, err);
	if (!rc && gp)
		rc = finite_or_fail(t, gp, 2, err);
	if (!rc)
		rc = update(t, &t->opt_d, &t->D, d_loss, err);
	if (rc)
		return rc;
	if (t->cfg.clip_value > 0)
		vt_nn_clip_weights(t->D.n_params, t->D.params,
				   -t->cfg.clip_value, t->cfg.clip_value);
	if (t->step % (t->cfg.n_critic ? t->cfg.n_critic : 1) != 0)
		return 0;
	g_loss = vt_nn_neg(g, vt_nn_mean(g, forward(t, &t->D,
						    forward(t, &t->G, z))));
	rc = finite_or_fail(t, g_loss, 1, err);
	if (!rc)
		rc = update(t, &t->opt_g, &t->G, g_loss, err);
	if (!rc)
		t->g_steps++;
	return rc;
}

static double lr_at(const struct vt_gan_trainer *t)
{
	static const enum vt_nn_lr_kind kinds[VT_GAN_SCHED_COUNT] = {
		[VT_GAN_SCHED_CONSTANT] = VT_NN_LR_CONSTANT,
		[VT_GAN_SCHED_LINEAR] = VT_NN_LR_LINEAR,
		[VT_GAN_SCHED_COSINE] = VT_NN_LR_COSINE,
		[VT_GAN_SCHED_STEP] = VT_NN_LR_STEP,
	};
	struct vt_nn_lr s = {
		.kind = kinds[t->cfg.lr_schedule],
		.base = t->cfg.lr,
		.total = (int64_t)(t->total ? t->total : 1),
		.start = 0,
		.every = (int64_t)(t->cfg.lr_step ? t->cfg.lr_step : 1),
		.gamma = t->cfg.lr_gamma,
	};

	return vt_nn_lr_at(&s, (int64_t)t->step);
}

int vt_gan_train_step(struct vt_gan_trainer *t, struct vt_err *err)
{
	const uint64_t *idx;
	size_t count;
	int64_t shape[4];
	struct vt_nn_val *real;
	int rc;

	if (!t->data)
		return vt_err_set(err, VT_EINVAL, "the trainer has no data");
	count = vt_gan_batcher_next(&t->batcher, &t->rng_data, &idx);
	vt_gan_data_gather(t->data, idx, count, t->batch);
	vt_nn_graph_reset(t->graph);
	shape[0] = (int64_t)count;
	shape[1] = (int64_t)t->data->c;
	shape[2] = (int64_t)t->data->h;
	shape[3] = (int64_t)t->data->w;
	real = vt_nn_from(t->graph, VT_F32, 4, shape, t->batch);
	t->lr = lr_at(t);
	if (t->cfg.loss == VT_GAN_LOSS_WASSERSTEIN)
		rc = step_wasserstein(t, real, err);
	else
		rc = step_standard(t, real, err);
	if (!rc)
		t->step++;
	return rc;
}

int vt_gan_generate(struct vt_gan_trainer *t, const float *z, size_t n,
		    bool train_bn, float *out, struct vt_err *err)
{
	struct vt_gan_mode m = { train_bn, false, &t->rng_drop };
	int64_t shape[2] = { (int64_t)n, t->cfg.latent_dim };
	struct vt_nn_val *x;
	bool rec;
	int rc;

	vt_nn_graph_reset(t->graph);
	rec = vt_nn_graph_set_record(t->graph, false);
	x = vt_nn_from(t->graph, VT_F32, 2, shape, z ? z : t->fixed_z);
	x = vt_gan_net_forward(&t->G, t->graph, x, &m);
	vt_nn_graph_set_record(t->graph, rec);
	rc = vt_nn_graph_status(t->graph, err);
	if (!rc && !x)
		rc = vt_err_set(err, VT_EBUG, "generator produced nothing");
	if (!rc)
		memcpy(out, x->data, x->numel * sizeof *out);
	vt_nn_graph_reset(t->graph);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Checkpoints                                                          */

static void pack(struct vt_gan_trainer *t)
{
	vt_gan_rng_pack(&t->rng_noise, t->rng_bytes[0]);
	vt_gan_rng_pack(&t->rng_drop, t->rng_bytes[1]);
	vt_gan_rng_pack(&t->rng_data, t->rng_bytes[2]);
	t->counters[0] = t->step;
	t->counters[1] = t->g_steps;
	t->counters[2] = t->data ? t->batcher.pos : 0;
	t->counters[3] = t->data ? t->batcher.epoch : 0;
	t->counters[4] = t->data ? t->batcher.started : 0;
	t->counters[5] = t->data ? t->batcher.n : 0;
}

int vt_gan_trainer_save(struct vt_gan_trainer *t, const char *path,
			struct vt_err *err)
{
	struct vt_gan_ckpt_info info = { 0 };
	int rc;

	pack(t);
	info.family = t->cfg.family;
	info.step = t->step;
	info.epoch = t->data ? t->batcher.epoch : 0;
	rc = vt_gan_config_format(&t->cfg, &info.config, err);
	if (!rc)
		rc = vt_gan_ckpt_save(path, &info, t->entries, t->n_entries,
				      err);
	free(info.config);
	return rc;
}

int vt_gan_trainer_load(struct vt_gan_trainer *t, const char *path,
			struct vt_err *err)
{
	int rc;

	pack(t);
	rc = vt_gan_ckpt_load(path, t->cfg.family, t->entries, t->n_entries,
			      0, NULL, NULL, err);
	if (rc)
		return rc;
	if (t->data && t->counters[5] != t->batcher.n)
		return vt_err_set(err, VT_EFORMAT,
				  "%s: trained on %llu images, the data have "
				  "%llu",
				  path, (unsigned long long)t->counters[5],
				  (unsigned long long)t->batcher.n);
	vt_gan_rng_unpack(&t->rng_noise, t->rng_bytes[0]);
	vt_gan_rng_unpack(&t->rng_drop, t->rng_bytes[1]);
	vt_gan_rng_unpack(&t->rng_data, t->rng_bytes[2]);
	t->step = t->counters[0];
	t->g_steps = t->counters[1];
	if (t->data) {
		t->batcher.pos = t->counters[2];
		t->batcher.epoch = t->counters[3];
		t->batcher.started = t->counters[4] != 0;
	}
	return 0;
}

int vt_gan_trainer_load_generator(struct vt_gan_trainer *t, const char *path,
				  struct vt_err *err)
{
	size_t n = 0;

	/* G's entries come first */
	while (n < t->n_entries && !strncmp(t->entries[n].name, "G.", 2))
		n++;
	return vt_gan_ckpt_load(path, t->cfg.family, t->entries, n,
				VT_GAN_CKPT_PARTIAL, NULL, NULL, err);
}
