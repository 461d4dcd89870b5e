/* net.c - the PyTorch-GAN collection's generators and discriminators as
 * layer lists over lib/nn.
 *
 * MLPG: Linear 100->128, LReLU, [Linear, BN1d(eps), LReLU] 128->256->512->
 *       1024, Linear 1024->C*H*W, Tanh, view [N,C,H,W]   ("model.K")
 * MLPD: flatten, Linear C*H*W->512, LReLU, 512->256, LReLU, 256->1
 *       [, Sigmoid]                                        ("model.K")
 * DCG:  Linear z->128*(s/4)^2 ("l1.0"), view [128,s/4,s/4], then
 *       "conv_blocks.K": [BN2d(128, eps 1e-5),] Up, Conv 128->128, BN2d(eps),
 *       LReLU, Up, Conv 128->64, BN2d(eps), LReLU, Conv 64->C, Tanh
 * DCD:  "model.K": 4 x [Conv s2, LReLU, Dropout2d, BN2d(eps) but not the
 *       first] C->16->32->64->128, flatten, "adv_layer.0" Linear
 *       128*(s/16)^2->1 [, Sigmoid]
 * The K follow nn.Sequential's numbering, so the parameter names are the
 * collection's state_dict keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/size.h"
#include "vt/gan_train.h"

static const char *const layer_names[] = {
	[VT_GAN_L_LINEAR] = "linear",
	[VT_GAN_L_CONV] = "conv2d",
	[VT_GAN_L_BN1D] = "batch_norm1d",
	[VT_GAN_L_BN2D] = "batch_norm2d",
	[VT_GAN_L_LEAKY] = "leaky_relu",
	[VT_GAN_L_TANH] = "tanh",
	[VT_GAN_L_SIGMOID] = "sigmoid",
	[VT_GAN_L_UPSAMPLE] = "upsample",
	[VT_GAN_L_DROPOUT2D] = "dropout2d",
	[VT_GAN_L_VIEW] = "view",
};
_Static_assert(sizeof layer_names / sizeof *layer_names == VT_GAN_L_COUNT,
	       "one name per layer kind");

const char *vt_gan_layer_name(enum vt_gan_layer_kind k)
{
	return (unsigned)k < VT_GAN_L_COUNT ? layer_names[k] : NULL;
}

/* A network under construction. */
struct builder {
	struct vt_gan_net *net;
	int cap;
	const char *module;     /* "model", "conv_blocks", ... */
	int index;              /* the next nn.Sequential index */
	const struct vt_gan_config *cfg;
	struct vt_rng *rng;
	struct vt_err *err;
	int status;
};

static struct vt_gan_layer *add(struct builder *b, enum vt_gan_layer_kind k)
{
	struct vt_gan_net *net = b->net;
	struct vt_gan_layer *l;

	if (b->status)
		return NULL;
	if (net->n == b->cap) {
		int cap = b->cap ? 2 * b->cap : 16;
		void *p = realloc(net->layers, (size_t)cap * sizeof *l);

		if (!p) {
			b->status = vt_err_set(b->err, VT_ENOMEM,
					       "out of memory building %s",
					       net->prefix);
			return NULL;
		}
		net->layers = p;
		b->cap = cap;
	}
	l = &net->layers[net->n++];
	memset(l, 0, sizeof *l);
	l->kind = k;
	if (k != VT_GAN_L_VIEW)
		snprintf(l->name, sizeof l->name, "%s.%d", b->module,
			 b->index++);
	return l;
}

static struct vt_nn_val *param(struct builder *b, char *name,
			       const char *prefix, const char *layer,
			       const char *what, int rank, const int64_t *shape,
			       bool trainable)
{
	struct vt_nn_val *p;

	snprintf(name, VT_GAN_NAME_MAX, "%s.%s.%s", prefix, layer, what);
	p = vt_nn_param_new(VT_F32, rank, shape, name);
	if (!p) {
		b->status = vt_err_set(b->err, VT_ENOMEM,
				       "out of memory for %s", name);
		return NULL;
	}
	p->requires_grad = trainable;
	return p;
}

static void linear(struct builder *b, int64_t in, int64_t out)
{
	struct vt_gan_layer *l = add(b, VT_GAN_L_LINEAR);
	int64_t ws[2] = { out, in }, bs[1] = { out };

	if (!l)
		return;
	l->w = param(b, l->wname, b->net->prefix, l->name, "weight", 2, ws,
		     true);
	l->b = param(b, l->bname, b->net->prefix, l->name, "bias", 1, bs,
		     true);
	if (b->status)
		return;
	if (b->cfg->init == VT_GAN_INIT_XAVIER) {
		vt_nn_init_xavier_uniform(l->w, 1.0, b->rng);
		vt_nn_init_const(l->b, 0);
	} else {
		/* weights_init_normal leaves Linear layers at the default */
		vt_nn_init_default(l->w, l->b, b->rng);
	}
}

static void conv(struct builder *b, int64_t in, int64_t out, int stride)
{
	struct vt_gan_layer *l = add(b, VT_GAN_L_CONV);
	int64_t ws[4] = { out, in, 3, 3 }, bs[1] = { out };

	if (!l)
		return;
	l->stride = stride;
	l->pad = 1;
	l->w = param(b, l->wname, b->net->prefix, l->name, "weight", 4, ws,
		     true);
	l->b = param(b, l->bname, b->net->prefix, l->name, "bias", 1, bs,
		     true);
	if (b->status)
		return;
	switch (b->cfg->init) {
	case VT_GAN_INIT_NORMAL:
		/* the bias keeps its default draw, as in the collection */
		vt_nn_init_default(l->w, l->b, b->rng);
		vt_nn_init_normal(l->w, 0.0, 0.02, b->rng);
		break;
	case VT_GAN_INIT_XAVIER:
		vt_nn_init_xavier_uniform(l->w, 1.0, b->rng);
		vt_nn_init_const(l->b, 0);
		break;
	default:
		vt_nn_init_default(l->w, l->b, b->rng);
		break;
	}
}

static void batch_norm(struct builder *b, enum vt_gan_layer_kind k,
		       int64_t c, double eps)
{
	struct vt_gan_layer *l = add(b, k);
	int64_t s[1] = { c };
	const char *p = b->net->prefix;

	if (!l)
		return;
	l->a = eps;
	l->momentum = b->cfg->bn_momentum;
	l->w = param(b, l->wname, p, l->name, "weight", 1, s, true);
	l->b = param(b, l->bname, p, l->name, "bias", 1, s, true);
	l->running_mean = param(b, l->mname, p, l->name, "running_mean", 1,
				s, false);
	l->running_var = param(b, l->vname, p, l->name, "running_var", 1, s,
			       false);
	snprintf(l->tname, sizeof l->tname, "%s.%s.num_batches_tracked", p,
		 l->name);
	if (b->status)
		return;
	if (k == VT_GAN_L_BN2D && b->cfg->init == VT_GAN_INIT_NORMAL)
		vt_nn_init_normal(l->w, 1.0, 0.02, b->rng);
	else
		vt_nn_init_const(l->w, 1.0);
	vt_nn_init_const(l->b, 0.0);
	vt_nn_init_const(l->running_mean, 0.0);
	vt_nn_init_const(l->running_var, 1.0);
}

static void simple(struct builder *b, enum vt_gan_layer_kind k, double a)
{
	struct vt_gan_layer *l = add(b, k);

	if (l)
		l->a = a;
}

static void view(struct builder *b, int rank, const int64_t *shape)
{
	struct vt_gan_layer *l = add(b, VT_GAN_L_VIEW);

	if (!l)
		return;
	l->rank = rank;
	memcpy(l->shape, shape, (size_t)rank * sizeof *shape);
}

static int finish(struct builder *b)
{
	struct vt_gan_net *net = b->net;
	int n = 0;

	if (!b->status) {
		for (int i = 0; i < net->n; i++)
			n += (net->layers[i].w != NULL) +
			     (net->layers[i].b != NULL);
		net->params = vt_calloc_array((size_t)n + 1,
					      sizeof *net->params);
		if (!net->params)
			b->status = vt_err_set(b->err, VT_ENOMEM,
					       "out of memory building %s",
					       net->prefix);
	}
	if (b->status) {
		vt_gan_net_release(net);
		return b->status;
	}
	for (int i = 0; i < net->n; i++) {
		struct vt_gan_layer *l = &net->layers[i];

		/* the names live in the layers, which moved as the array grew */
		if (l->w)
			l->w->name = l->wname;
		if (l->b)
			l->b->name = l->bname;
		if (l->running_mean)
			l->running_mean->name = l->mname;
		if (l->running_var)
			l->running_var->name = l->vname;
		if (l->w)
			net->params[net->n_params++] = l->w;
		if (l->b)
			net->params[net->n_params++] = l->b;
	}
	return 0;
}

static void start(struct builder *b, struct vt_gan_net *net,
		  const char *prefix, const struct vt_gan_config *c,
		  struct vt_rng *rng, struct vt_err *err)
{
	memset(net, 0, sizeof *net);
	memset(b, 0, sizeof *b);
	snprintf(net->prefix, sizeof net->prefix, "%s", prefix);
	b->net = net;
	b->cfg = c;
	b->rng = rng;
	b->err = err;
}

int vt_gan_net_build_g(struct vt_gan_net *net, const struct vt_gan_config *c,
		       struct vt_rng *rng, struct vt_err *err)
{
	struct builder b;
	double slope = c->leaky_slope;
	int64_t img = (int64_t)c->channels * c->img_size * c->img_size;

	start(&b, net, "G", c, rng, err);
	if (c->generator == VT_GAN_ARCH_MLP) {
		int64_t out[3] = { c->channels, c->img_size, c->img_size };

		b.module = "model";
		linear(&b, c->latent_dim, 128);
		simple(&b, VT_GAN_L_LEAKY, slope);
		for (int64_t f = 128; f < 1024; f *= 2) {
			linear(&b, f, 2 * f);
			batch_norm(&b, VT_GAN_L_BN1D, 2 * f, c->bn_eps);
			simple(&b, VT_GAN_L_LEAKY, slope);
		}
		linear(&b, 1024, img);
		simple(&b, VT_GAN_L_TANH, 0);
		view(&b, 3, out);
	} else {
		int64_t s = c->img_size / 4;
		int64_t shape[3] = { 128, s, s };

		b.module = "l1";
		linear(&b, c->latent_dim, 128 * s * s);
		view(&b, 3, shape);
		b.module = "conv_blocks";
		b.index = 0;
		if (c->g_input_bn)
			batch_norm(&b, VT_GAN_L_BN2D, 128, 1e-5);
		simple(&b, VT_GAN_L_UPSAMPLE, 0);
		conv(&b, 128, 128, 1);
		batch_norm(&b, VT_GAN_L_BN2D, 128, c->bn_eps);
		simple(&b, VT_GAN_L_LEAKY, slope);
		simple(&b, VT_GAN_L_UPSAMPLE, 0);
		conv(&b, 128, 64, 1);
		batch_norm(&b, VT_GAN_L_BN2D, 64, c->bn_eps);
		simple(&b, VT_GAN_L_LEAKY, slope);
		conv(&b, 64, c->channels, 1);
		simple(&b, VT_GAN_L_TANH, 0);
	}
	return finish(&b);
}

int vt_gan_net_build_d(struct vt_gan_net *net, const struct vt_gan_config *c,
		       struct vt_rng *rng, struct vt_err *err)
{
	struct builder b;
	double slope = c->leaky_slope;
	int64_t flat[1];

	start(&b, net, "D", c, rng, err);
	b.module = "model";
	if (c->discriminator == VT_GAN_ARCH_MLP) {
		flat[0] = (int64_t)c->channels * c->img_size * c->img_size;
		view(&b, 1, flat);
		linear(&b, flat[0], 512);
		simple(&b, VT_GAN_L_LEAKY, slope);
		linear(&b, 512, 256);
		simple(&b, VT_GAN_L_LEAKY, slope);
		linear(&b, 256, 1);
	} else {
		int64_t cin = c->channels, s = c->img_size / 16;

		for (int64_t cout = 16; cout <= 128; cout *= 2) {
			conv(&b, cin, cout, 2);
			simple(&b, VT_GAN_L_LEAKY, slope);
			simple(&b, VT_GAN_L_DROPOUT2D, c->dropout);
			if (cout != 16)
				batch_norm(&b, VT_GAN_L_BN2D, cout, c->bn_eps);
			cin = cout;
		}
		flat[0] = 128 * s * s;
		view(&b, 1, flat);
		b.module = "adv_layer";
		b.index = 0;
		linear(&b, flat[0], 1);
	}
	if (c->d_sigmoid)
		simple(&b, VT_GAN_L_SIGMOID, 0);
	return finish(&b);
}

void vt_gan_net_release(struct vt_gan_net *net)
{
	if (!net)
		return;
	for (int i = 0; i < net->n; i++) {
		struct vt_gan_layer *l = &net->layers[i];

		vt_nn_param_free(l->w);
		vt_nn_param_free(l->b);
		vt_nn_param_free(l->running_mean);
		vt_nn_param_free(l->running_var);
	}
	free(net->layers);
	free(net->params);
	memset(net, 0, sizeof *net);
}

bool vt_gan_net_stateless(const struct vt_gan_net *net)
{
	for (int i = 0; i < net->n; i++) {
		const struct vt_gan_layer *l = &net->layers[i];

		if (l->running_mean ||
		    (l->kind == VT_GAN_L_DROPOUT2D && l->a > 0))
			return false;
	}
	return true;
}

size_t vt_gan_net_numel(const struct vt_gan_net *net)
{
	size_t n = 0;

	for (int i = 0; i < net->n_params; i++)
		n += net->params[i]->numel;
	return n;
}

struct vt_nn_val *vt_gan_net_forward(struct vt_gan_net *net,
				     struct vt_nn_graph *g,
				     struct vt_nn_val *x,
				     const struct vt_gan_mode *mode)
{
	for (int i = 0; i < net->n && x; i++) {
		struct vt_gan_layer *l = &net->layers[i];
		bool stats = mode->train && mode->update_stats;
		int64_t shape[5];

		switch (l->kind) {
		case VT_GAN_L_LINEAR:
			x = vt_nn_linear(g, x, l->w, l->b);
			break;
		case VT_GAN_L_CONV:
			x = vt_nn_conv2d(g, x, l->w, l->b, l->stride, l->pad);
			break;
		case VT_GAN_L_BN1D:
		case VT_GAN_L_BN2D:
			x = (l->kind == VT_GAN_L_BN1D ? vt_nn_batch_norm1d :
			     vt_nn_batch_norm2d)(
				g, x, l->w, l->b,
				stats || !mode->train ? l->running_mean : NULL,
				stats || !mode->train ? l->running_var : NULL,
				mode->train, l->momentum, l->a);
			if (stats)
				l->num_batches_tracked++;
			break;
		case VT_GAN_L_LEAKY:
			x = vt_nn_leaky_relu(g, x, l->a);
			break;
		case VT_GAN_L_TANH:
			x = vt_nn_tanh(g, x);
			break;
		case VT_GAN_L_SIGMOID:
			x = vt_nn_sigmoid(g, x);
			break;
		case VT_GAN_L_UPSAMPLE:
			/* Upsample then Conv2d: one fused op (four 2x2 phase
			 * convolutions for a 3x3 kernel, a third of the work) */
			if (i + 1 < net->n &&
			    net->layers[i + 1].kind == VT_GAN_L_CONV) {
				l = &net->layers[++i];
				x = vt_nn_upsample2x_conv2d(g, x, l->w, l->b,
							    l->stride, l->pad);
			} else {
				x = vt_nn_upsample2x(g, x);
			}
			break;
		case VT_GAN_L_DROPOUT2D:
			x = vt_nn_dropout2d(g, x, l->a, mode->train, mode->rng);
			break;
		case VT_GAN_L_VIEW:
			shape[0] = x->shape[0];
			memcpy(shape + 1, l->shape,
			       (size_t)l->rank * sizeof *shape);
			x = vt_nn_reshape(g, x, l->rank + 1, shape);
			break;
		case VT_GAN_L_COUNT:
			return NULL;
		}
	}
	return x;
}
