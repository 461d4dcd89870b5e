/* test_darknet.c - cfg parser, weights reader, layers against a naive double
 * reference, and darknet's own outputs from ../shared/fixtures/yolo (those
 * tests skip when the fixtures are absent). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt/darknet.h"
#include "vt/image.h"

static const char *fixtures(void)
{
	static const char *const dirs[] = {
		"../../shared/fixtures/yolo", "../shared/fixtures/yolo",
	};

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char p[256];

		snprintf(p, sizeof p, "%s/model/yolov3-tiny-synth-s1.weights",
			 dirs[i]);
		if (access(p, R_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

static struct vt_dn_net *parse(const char *cfg, unsigned flags,
			       struct vt_err *err)
{
	struct vt_dn_net *net = NULL;

	vt_dn_net_parse(cfg, strlen(cfg), "t.cfg", flags, 0, &net, err);
	return net;
}

static void expect_cfg_error(const char *cfg, const char *msg)
{
	struct vt_err err = { 0 };
	struct vt_dn_net *net = parse(cfg, 0, &err);

	cr_assert_null(net, "accepted: %s", cfg);
	cr_assert_eq(err.code, VT_ECONFIG);
	cr_assert_str_eq(err.msg, msg);
}

/* A network is sized before anything is allocated and held to a limit:
 * 64 x 64 x 3 in, 16 filters of 3x3 (448 parameters), outputs of 12288 +
 * 65536 floats (0.3 MiB), with its work buffer 0.4 MiB. */
Test(darknet_cfg, memory_limit)
{
	static const char cfg[] = "[net]\nwidth=64\nheight=64\nchannels=3\n"
		"[convolutional]\nfilters=16\nsize=3\nstride=1\npad=1\n"
		"activation=leaky\n";
	struct vt_dn_net *net = NULL;
	struct vt_err err = { 0 };

	cr_assert_eq(vt_dn_net_parse(cfg, sizeof cfg - 1, "m.cfg", 0,
				     UINT64_C(1) << 20, &net, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(net->n_params, 448);
	vt_dn_net_free(net);
	net = NULL;
	cr_assert_eq(vt_dn_net_parse(cfg, sizeof cfg - 1, "m.cfg", 0,
				     UINT64_C(256) << 10, &net, &err),
		     VT_ELIMIT);
	cr_assert_null(net);
	cr_assert_str_eq(err.msg, "m.cfg: the network takes 0.4 MiB (outputs "
			 "0.3, parameters 0.0), above the limit of 0.2 MiB");
}

Test(darknet_cfg, errors_name_file_line_and_key)
{
	expect_cfg_error("[net]\nwidth=8\nheight=8\nchannels=3\n[conv]\n"
			 "filters=2\nsize=3\nfliters=4\n",
			 "t.cfg:8: unknown key 'fliters' in [convolutional]");
	expect_cfg_error("[net]\nwidth=8\nheight=8\nchannels=3\n\n[dropout]\n",
			 "t.cfg:6: unknown section [dropout]");
	expect_cfg_error("[net]\nwidth=8\nheight=8\nchannels=3\n[maxpool]\n"
			 "size=x\n", "t.cfg:6: [maxpool] size=x: not an integer");
	expect_cfg_error("[net]\nwidth=8\nheight=8\nchannels=3\n[conv]\n"
			 "activation=tanh\n", "t.cfg:6: [convolutional] "
			 "activation=tanh: unknown activation (linear, leaky, "
			 "relu, logistic, mish, swish)");
	expect_cfg_error("[net]\nwidth=8\nheight=8\nchannels=3\n[conv]\n"
			 "size=3\nsize=1\n",
			 "t.cfg:7: key 'size' repeated (first on line 6)");
	expect_cfg_error("width=8\n", "t.cfg:1: expected a [section] first");
	expect_cfg_error("[conv]\n", "t.cfg:1: the first section must be [net]");
	expect_cfg_error("[net]\nwidth=8\nheight=8\n[conv]\n",
			 "t.cfg:1: [net] needs width, height and channels "
			 "above 0");
	expect_cfg_error("[net]\nwidth=8\nheight=8\nchannels=3\n[route]\n"
			 "layers=-1\n", "t.cfg:5: [route] (layer 0): layer "
			 "reference -1 is not an earlier layer (this is layer 0)");
	expect_cfg_error("[net]\nwidth=8\nheight=8\nchannels=3\n[conv]\n"
			 "filters=10\n[yolo]\nclasses=2\nmask=0,1\nnum=3\n",
			 "t.cfg:7: [yolo] (layer 1): input has 10 channels, "
			 "mask and classes need 14");
	expect_cfg_error("[net]\nwidth=8\nheight=8\nchannels=3\n[conv]\n"
			 "groups=2\n", "t.cfg:5: [convolutional] (layer 0): "
			 "groups=2 does not divide the input channels (3) and "
			 "filters");
	expect_cfg_error("[net]\nwidth=2\nheight=2\nchannels=3\n[conv]\n"
			 "size=5\n", "t.cfg:5: [convolutional] (layer 0): "
			 "window 5 does not fit input side 2");
}

Test(darknet_cfg, lenient_and_ignored_keys)
{
	const char *cfg = "# comment\n[net]\nbatch=64\nwidth=8\nheight=8\n"
			  "channels=3\nlearning_rate=0.001\n[dropout]\n"
			  "probability=.5\n[conv]\nfilters=2\nmystery=1\n";
	struct vt_err err = { 0 };
	struct vt_dn_net *net = parse(cfg, 0, &err);

	cr_assert_null(net);
	cr_assert_str_eq(err.msg, "t.cfg:8: unknown section [dropout]");
	net = parse(cfg, VT_DN_LENIENT, &err);
	cr_assert_not_null(net, "%s", err.msg);
	cr_assert_eq(net->n, 1);
	cr_assert_eq(net->layers[0].act, VT_DN_LOGISTIC);   /* darknet default */
	vt_dn_net_free(net);
}

static struct vt_dn_net *load_cfg(const char *file)
{
	char p[256];
	struct vt_err err = { 0 };
	struct vt_dn_net *net = NULL;

	snprintf(p, sizeof p, "../configs/yolo/%s", file);
	cr_assert_eq(vt_dn_net_load_cfg(p, 0, 0, &net, &err), 0, "%s", err.msg);
	return net;
}

Test(darknet_cfg, bundled_models_shapes)
{
	struct vt_dn_net *net = load_cfg("yolov3-tiny.cfg");

	cr_assert_eq(net->n, 24);
	cr_assert_eq(net->layers[16].type, VT_DN_YOLO);
	cr_assert_eq(net->layers[16].out_h, 13);
	cr_assert_eq(net->layers[23].out_w, 26);
	cr_assert_eq(net->layers[11].out_h, 13);   /* maxpool size 2 stride 1 */
	cr_assert_eq(net->n_params, (35434956 - 20) / 4);
	cr_assert_lt(fabs(net->flops / 1e9 - 5.57), 0.01, "%g", net->flops);
	vt_dn_net_free(net);

	net = load_cfg("yolov3.cfg");
	cr_assert_eq(net->n, 107);
	cr_assert_eq(net->w, 608);
	/* the official yolov3.weights has 248007048 bytes */
	cr_assert_eq(net->n_params, (248007048u - 20) / 4, "%zu", net->n_params);
	cr_assert_eq(net->layers[106].out_h, 76);
	vt_dn_net_free(net);

	net = load_cfg("yolov4-tiny.cfg");
	cr_assert_eq(net->n, 38);
	cr_assert_eq(net->layers[3].route_groups, 2);
	cr_assert_eq(net->layers[3].group_id, 1);
	cr_assert_eq(net->layers[3].out_c, 32);
	cr_assert_eq(net->layers[30].type, VT_DN_YOLO);
	cr_assert_float_eq(net->layers[30].scale_x_y, 1.05f, 1e-7);
	/* the official yolov4-tiny.weights has 24251276 bytes */
	cr_assert_eq(net->n_params, (24251276u - 20) / 4, "%zu", net->n_params);
	cr_assert_lt(fabs(net->flops / 1e9 - 6.91), 0.01, "%g", net->flops);
	vt_dn_net_free(net);
}

Test(darknet_weights, size_must_match)
{
	const char *cfg = "[net]\nwidth=4\nheight=4\nchannels=1\n[conv]\n"
			  "batch_normalize=1\nfilters=2\nsize=3\npad=1\n";
	struct vt_err err = { 0 };
	struct vt_dn_net *net = parse(cfg, 0, &err);
	unsigned char buf[20 + 4 * 40] = { 0, 0, 0, 0, 2 };

	cr_assert_not_null(net, "%s", err.msg);
	cr_assert_eq(net->n_params, 2 * 4 + 18u);
	cr_assert_eq(vt_dn_weights_read_mem(net, buf, 20 + 4 * 25, "w", &err),
		     VT_EFORMAT);
	cr_assert_str_eq(err.msg, "'w': expected 26 floats after the header "
			 "for 't.cfg', file has 25");
	cr_assert_eq(vt_dn_weights_read_mem(net, buf, 20 + 4 * 26 + 2, "w",
					    &err), VT_EFORMAT);
	cr_assert_eq(vt_dn_weights_read_mem(net, buf, 10, "w", &err),
		     VT_EFORMAT);
	cr_assert_str_eq(err.msg, "'w': truncated header");
	/* version 0.1: seen is an int32 */
	buf[4] = 1;
	cr_assert_eq(vt_dn_weights_read_mem(net, buf, 16 + 4 * 26, "w", &err),
		     0, "%s", err.msg);
	vt_dn_net_free(net);
}

/* ---- a naive double reference ---- */

static double act(double x, enum vt_dn_act a)
{
	switch (a) {
	case VT_DN_LEAKY: return x > 0 ? x : 0.1 * x;
	case VT_DN_RELU: return x > 0 ? x : 0;
	case VT_DN_LOGISTIC: return 1 / (1 + exp(-x));
	case VT_DN_MISH: return x * tanh(log1p(exp(x)));
	case VT_DN_SWISH: return x / (1 + exp(-x));
	default: return x;
	}
}

/* Forward of net (raw, unfolded parameters) in double; outs[i] malloc'd. */
static double **reference(const struct vt_dn_net *net, const double *input)
{
	double **outs = calloc((size_t)net->n, sizeof *outs);

	for (int i = 0; i < net->n; i++) {
		const struct vt_dn_layer *l = &net->layers[i];
		const double *in = i ? outs[i - 1] : input;
		double *o = calloc(l->out_n, sizeof *o);
		int C = l->c, H = l->h, W = l->w, OH = l->out_h, OW = l->out_w;

		outs[i] = o;
		switch (l->type) {
		case VT_DN_CONV: {
			int g = l->groups, kc = C / g, k = l->size;

			for (int f = 0; f < l->filters; f++) {
				int grp = f / (l->filters / g);

				for (int y = 0; y < OH; y++)
					for (int x = 0; x < OW; x++) {
						double s = 0;

						for (int ci = 0; ci < kc; ci++)
							for (int dy = 0; dy < k; dy++)
								for (int dx = 0; dx < k; dx++) {
									int iy = y * l->stride - l->pad + dy;
									int ix = x * l->stride - l->pad + dx;

									if (iy < 0 || iy >= H || ix < 0 || ix >= W)
										continue;
									s += l->weights[((f * kc + ci) * k + dy) * k + dx] *
									     in[((grp * kc + ci) * H + iy) * W + ix];
								}
						if (l->batch_norm)
							s = l->scales[f] * (s - l->mean[f]) /
							    (sqrt(l->var[f]) + 1e-6);
						s += l->biases[f];
						o[(f * OH + y) * OW + x] = act(s, l->act);
					}
			}
			break;
		}
		case VT_DN_MAXPOOL:
			for (int c = 0; c < C; c++)
				for (int y = 0; y < OH; y++)
					for (int x = 0; x < OW; x++) {
						double m = -INFINITY;

						for (int dy = 0; dy < l->size; dy++)
							for (int dx = 0; dx < l->size; dx++) {
								int iy = y * l->stride - l->pad / 2 + dy;
								int ix = x * l->stride - l->pad / 2 + dx;

								if (iy >= 0 && iy < H && ix >= 0 && ix < W)
									m = fmax(m, in[(c * H + iy) * W + ix]);
							}
						o[(c * OH + y) * OW + x] = m;
					}
			break;
		case VT_DN_UPSAMPLE:
			for (int c = 0; c < C; c++)
				for (int y = 0; y < OH; y++)
					for (int x = 0; x < OW; x++)
						o[(c * OH + y) * OW + x] = l->scale *
							in[(c * H + y / l->stride) * W + x / l->stride];
			break;
		case VT_DN_ROUTE: {
			size_t at = 0;

			for (int k = 0; k < l->n_in; k++) {
				const struct vt_dn_layer *s = &net->layers[l->in[k]];
				size_t part = s->out_n / (size_t)l->route_groups;

				for (size_t j = 0; j < part; j++)
					o[at++] = outs[l->in[k]][part * (size_t)l->group_id + j];
			}
			break;
		}
		case VT_DN_SHORTCUT:
			for (size_t j = 0; j < l->out_n; j++)
				o[j] = act(in[j] + outs[l->from][j], l->act);
			break;
		case VT_DN_YOLO: {
			size_t hw = (size_t)H * W;

			for (size_t j = 0; j < l->out_n; j++) {
				size_t e = (j / hw) % (size_t)(l->classes + 5);

				o[j] = e == 2 || e == 3 ? in[j] : 1 / (1 + exp(-in[j]));
				if (e < 2)
					o[j] = o[j] * l->scale_x_y - 0.5 * (l->scale_x_y - 1);
			}
			break;
		}
		default:
			cr_assert_fail("layer type");
		}
	}
	return outs;
}

static void compare_with_reference(const char *cfg, uint64_t seed, double tol)
{
	struct vt_err err = { 0 };
	struct vt_dn_net *raw = parse(cfg, 0, &err), *net;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	double *in, **ref;

	cr_assert_not_null(raw, "%s", err.msg);
	net = parse(cfg, 0, &err);
	cr_assert_eq(vt_dn_net_synth(raw, seed, &err), 0, "%s", err.msg);
	f = open_memstream(&buf, &len);
	cr_assert_eq(vt_dn_weights_write(raw, f, "mem", &err), 0);
	fclose(f);
	cr_assert_eq(len, 20 + 4 * raw->n_params);
	cr_assert_eq(vt_dn_weights_read_mem(net, buf, len, "mem", &err), 0,
		     "%s", err.msg);
	free(buf);

	in = malloc(sizeof *in * (size_t)(net->c * net->h * net->w));
	for (int j = 0; j < net->c * net->h * net->w; j++) {
		in[j] = (double)((j * 37) % 101) / 100.0;
		net->input[j] = (float)in[j];
	}
	ref = reference(raw, in);
	vt_dn_forward(net);
	for (int i = 0; i < net->n; i++) {
		const struct vt_dn_layer *l = &net->layers[i];
		double worst = 0, big = 1;

		/* error relative to the layer's largest magnitude */
		for (size_t j = 0; j < l->out_n; j++)
			big = fmax(big, fabs(ref[i][j]));
		for (size_t j = 0; j < l->out_n; j++)
			worst = fmax(worst, fabs(l->out[j] - ref[i][j]) / big);
		cr_assert_lt(worst, tol, "layer %d (%s): %g", i,
			     vt_dn_type_name(l->type), worst);
		free(ref[i]);
	}
	free(ref);
	free(in);
	vt_dn_net_free(raw);
	vt_dn_net_free(net);
}

Test(darknet_forward, every_layer_against_naive_reference)
{
	compare_with_reference(
		"[net]\nwidth=12\nheight=8\nchannels=3\n"
		"[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\n"
		"stride=1\npad=1\nactivation=leaky\n"                     /* 0 */
		"[maxpool]\nsize=2\nstride=2\n"                           /* 1 */
		"[convolutional]\nfilters=8\nsize=3\nstride=2\npad=1\n"
		"groups=2\nactivation=mish\n"                             /* 2 */
		"[convolutional]\nbatch_normalize=1\nfilters=8\nsize=1\n"
		"stride=1\nactivation=swish\n"                            /* 3 */
		"[shortcut]\nfrom=-2\nactivation=relu\n"                  /* 4 */
		"[maxpool]\nsize=2\nstride=1\n"                           /* 5 */
		"[route]\nlayers=-1,2\ngroups=2\ngroup_id=1\n"            /* 6 */
		"[upsample]\nstride=2\n"                                  /* 7 */
		"[route]\nlayers=-1, 1\n"                                 /* 8 */
		"[convolutional]\nfilters=14\nsize=1\nstride=1\n"
		"activation=linear\n"                                     /* 9 */
		"[yolo]\nmask=1,2\nanchors=10,14, 23,27, 37,58\nclasses=2\n"
		"num=3\nscale_x_y=1.05\njitter=.3\n"                      /* 10 */
		"[route]\nlayers=3\n"                                     /* 11 */
		"[convolutional]\nbatch_normalize=1\nfilters=4\nsize=3\n"
		"stride=1\npad=1\nactivation=logistic\n",                 /* 12 */
		7, 2e-5);
}

/* The direct 3x3 kernel against a plain sum: filters not a multiple of
 * the register block, widths with a partial block, each activation path,
 * strides 1 and 2 (odd and even sizes). */
Test(darknet_forward, direct_3x3_against_naive)
{
	const int shapes[][4] = {   /* m, c, h, w */
		{ 5, 3, 4, 37 }, { 4, 1, 1, 1 }, { 9, 16, 6, 16 }, { 2, 2, 3, 17 },
		{ 6, 3, 7, 34 }, { 3, 2, 2, 2 },
	};
	const enum vt_dn_act acts[] = { VT_DN_LINEAR, VT_DN_LEAKY,
					VT_DN_LOGISTIC };

	for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
		for (size_t a = 0; a < 2 * sizeof acts / sizeof *acts; a++) {
			int m = shapes[s][0], c = shapes[s][1], h = shapes[s][2],
			    w = shapes[s][3], st = 1 + (int)(a % 2);
			int oh = (h - 1) / st + 1, ow = (w - 1) / st + 1;
			size_t nin = (size_t)c * h * w, nout = (size_t)m * oh * ow;
			size_t nw = (size_t)m * c * 9;
			float *in = malloc(nin * sizeof *in);
			float *wt = malloc(nw * sizeof *wt);
			float *bias = malloc((size_t)m * sizeof *bias);
			float *out = malloc(nout * sizeof *out);
			float *work = malloc(vt_dn_direct_work_n(c, h, w, m, st) *
					     sizeof *work);

			for (size_t j = 0; j < nin; j++)
				in[j] = (float)((j * 37) % 101) / 50.0f - 1.0f;
			for (size_t j = 0; j < nw; j++)
				wt[j] = (float)((j * 53) % 97) / 97.0f - 0.5f;
			for (int f = 0; f < m; f++)
				bias[f] = 0.1f * (float)(f % 3) - 0.1f;
			vt_dn_conv3x3_direct(out, in, wt, bias, m, c, h, w, st,
					     acts[a / 2], work);
			for (int f = 0; f < m; f++)
				for (int y = 0; y < oh; y++)
					for (int x = 0; x < ow; x++) {
						double v = bias[f];
						float got = out[((size_t)f * oh + y) * ow + x];

						for (int ch = 0; ch < c; ch++)
							for (int k = 0; k < 9; k++) {
								int iy = st * y + k / 3 - 1;
								int ix = st * x + k % 3 - 1;

								if (iy >= 0 && iy < h && ix >= 0 && ix < w)
									v += (double)wt[((size_t)f * c + ch) * 9 + k] *
									     in[((size_t)ch * h + iy) * w + ix];
							}
						v = act(v, acts[a / 2]);
						cr_assert_float_eq(got, v, 1e-5,
								   "shape %zu act %zu: (%d,%d,%d) %g vs %g",
								   s, a, f, y, x, got, v);
					}
			free(in);
			free(wt);
			free(bias);
			free(out);
			free(work);
		}
}

/* The packed product against a plain sum: rows and columns not multiples
 * of the register block, a single row and column. */
Test(darknet_forward, pgemm_against_naive)
{
	const int shapes[][3] = {   /* m, n, k */
		{ 16, 6, 5 }, { 33, 49, 17 }, { 1, 1, 1 }, { 7, 13, 3 },
		{ 40, 8, 64 },
	};

	for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
		int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
		size_t an = vt_dn_pgemm_a_n(m, k), bn = vt_dn_pgemm_b_n(k, n);
		float *a = malloc((size_t)m * k * sizeof *a);
		float *pa = malloc(an * sizeof *pa);
		float *pb = calloc(bn, sizeof *pb);
		float *b = malloc((size_t)k * n * sizeof *b);
		size_t ldc = (size_t)n + 3;
		float *c = malloc((size_t)m * ldc * sizeof *c);

		for (size_t j = 0; j < (size_t)m * k; j++)
			a[j] = (float)((j * 37) % 101) / 50.0f - 1.0f;
		for (size_t j = 0; j < (size_t)k * n; j++)
			b[j] = (float)((j * 53) % 97) / 97.0f - 0.5f;
		for (int p = 0; p < k; p++)
			for (int j = 0; j < n; j++)
				pb[((size_t)(j / VT_DN_PG_NR) * k + p) * VT_DN_PG_NR +
				   j % VT_DN_PG_NR] = b[(size_t)p * n + j];
		for (size_t j = 0; j < (size_t)m * ldc; j++)
			c[j] = 42.0f;
		vt_dn_pgemm_pack_a(pa, a, m, k);
		vt_dn_pgemm(c, ldc, pa, pb, m, n, k);
		for (int i = 0; i < m; i++)
			for (size_t j = 0; j < ldc; j++) {
				double v = 0;

				if (j >= (size_t)n) {
					cr_assert(c[i * ldc + j] == 42.0f);
					continue;
				}
				for (int p = 0; p < k; p++)
					v += (double)a[(size_t)i * k + p] *
					     b[(size_t)p * n + j];
				cr_assert_float_eq(c[i * ldc + j], v, 1e-4,
						   "shape %zu: (%d,%zu) %g vs %g", s,
						   i, j, c[i * ldc + j], v);
			}
		/* transposed, the rows up to a whole panel */
		size_t ldt = vt_dn_pgemm_a_n(m, 1) + 2;
		float *ct = malloc((size_t)n * ldt * sizeof *ct);

		vt_dn_pgemm_t(ct, ldt, pa, pb, m, n, k);
		for (int i = 0; i < m; i++)
			for (int j = 0; j < n; j++)
				cr_assert(ct[(size_t)j * ldt + i] == c[i * ldc + j],
					  "shape %zu: (%d,%d) transposed", s, i, j);
		for (int j = 0; j < n; j++)
			for (size_t i = (size_t)m; i < ldt - 2; i++)
				cr_assert(ct[(size_t)j * ldt + i] == 0.0f);
		free(ct);
		free(a);
		free(pa);
		free(pb);
		free(b);
		free(c);
	}
}

Test(darknet_forward, maxpool_hand_computed)
{
	/* size 2 stride 1 on 2x2: darknet pads one column/row at the end */
	const float in[4] = { 1, 5, 3, 2 };
	float out[4];

	vt_dn_maxpool(out, in, 1, 2, 2, 2, 1, 1, 2, 2);
	cr_assert(out[0] == 5 && out[1] == 5 && out[2] == 3 && out[3] == 2);
	/* size 2 stride 2 on 3x3 (padding 1): 2x2 output */
	const float in3[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

	vt_dn_maxpool(out, in3, 1, 3, 3, 2, 2, 1, 2, 2);
	cr_assert(out[0] == 5 && out[1] == 6 && out[2] == 8 && out[3] == 9);
}

Test(darknet_forward, activations_hand_computed)
{
	float x[6] = { -2, -1, 0, 0.5f, 1, 3 };

	vt_dn_activate(x, 6, VT_DN_LEAKY);
	cr_assert(x[0] == -0.2f && x[1] == -0.1f && x[5] == 3);
	float y[2] = { 0, 1 };

	vt_dn_activate(y, 2, VT_DN_LOGISTIC);
	cr_assert_float_eq(y[0], 0.5f, 1e-7);
	cr_assert_float_eq(y[1], 0.7310586f, 1e-6);
	float z[1] = { 1 };

	vt_dn_activate(z, 1, VT_DN_MISH);
	cr_assert_float_eq(z[0], 0.8650984f, 1e-6);
}

/* ---- darknet's outputs on the synthetic yolov3-tiny ---- */

static float *read_f32(const char *path, size_t n)
{
	FILE *f = fopen(path, "rb");
	float *v = malloc(n * sizeof *v);

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fread(v, sizeof *v, n, f), n, "%s", path);
	cr_assert_eq(fgetc(f), EOF, "%s longer than expected", path);
	fclose(f);
	return v;
}

static struct vt_dn_net *tiny_with_fixture_weights(const char *dir)
{
	struct vt_dn_net *net = load_cfg("yolov3-tiny.cfg");
	struct vt_err err = { 0 };
	char p[256];

	snprintf(p, sizeof p, "%s/model/yolov3-tiny-synth-s1.weights", dir);
	cr_assert_eq(vt_dn_weights_load(net, p, &err), 0, "%s", err.msg);
	return net;
}

static void compare_yolo(const struct vt_dn_layer *l, const char *path,
			 double *max_log, double *max_raw)
{
	float *want = read_f32(path, l->out_n);
	size_t hw = (size_t)l->out_h * l->out_w;

	for (size_t j = 0; j < l->out_n; j++) {
		size_t e = (j / hw) % (size_t)(l->classes + 5);
		double d = fabs(l->out[j] - want[j]);

		if (e == 2 || e == 3)
			*max_raw = fmax(*max_raw, d);
		else
			*max_log = fmax(*max_log, d);
	}
	free(want);
}

Test(darknet_fixture, yolov3_tiny_matches_darknet)
{
	const char *dir = fixtures();
	static const char *const stems[] = { "dog", "scream" };
	struct vt_dn_net *net;

	if (!dir)
		cr_skip_test("../shared/fixtures/yolo not present");
	net = tiny_with_fixture_weights(dir);
	for (int s = 0; s < 2; s++) {
		char p[256];
		float *in;
		double ml = 0, mr = 0;

		snprintf(p, sizeof p, "%s/darknet/%s.input.f32", dir, stems[s]);
		in = read_f32(p, 3 * 416 * 416);
		memcpy(net->input, in, sizeof(float) * 3 * 416 * 416);
		free(in);
		vt_dn_forward(net);
		snprintf(p, sizeof p, "%s/darknet/%s.yolo16.f32", dir, stems[s]);
		compare_yolo(&net->layers[16], p, &ml, &mr);
		snprintf(p, sizeof p, "%s/darknet/%s.yolo23.f32", dir, stems[s]);
		compare_yolo(&net->layers[23], p, &ml, &mr);
		cr_log_info("%s: max |diff| logistic %.3g, raw w/h %.3g",
			    stems[s], ml, mr);
		cr_assert_leq(ml, 1e-4, "%s: logistic entries differ by %g",
			      stems[s], ml);
		cr_assert_leq(mr, 5e-4, "%s: raw w/h differ by %g", stems[s], mr);
	}
	vt_dn_net_free(net);
}

/* ---- preprocessing ---- */

Test(darknet_prep, letterbox_hand_computed)
{
	/* 2x2 RGB to 3x3: align-corners doubles the grid, centre = mean */
	const uint8_t img[12] = { 0, 10, 20, 51, 61, 71, 102, 112, 122,
				  255, 5, 6 };
	float out[27], tmp[256];
	int nw, nh;

	cr_assert_leq(vt_dn_resize_tmp_n(2, 2, 3, 3), 256u);
	vt_dn_preprocess(out, img, 2, 2, 3, 3, 3, VT_DN_LETTERBOX, tmp);
	cr_assert_float_eq(out[0], 0.0f, 1e-7);
	cr_assert_float_eq(out[2], (float)(51 / 255.0), 1e-7);
	cr_assert_float_eq(out[4], (float)((0 + 51 + 102 + 255) / 4 / 255.0),
			   1e-6);
	cr_assert_float_eq(out[8], 1.0f, 1e-7);
	cr_assert_float_eq(out[9 + 8], (float)(5 / 255.0), 1e-7);
	/* 4x2 into 4x4: pasted at row 1 on 0.5 gray */
	vt_dn_letterbox_dims(4, 2, 4, 4, &nw, &nh);
	cr_assert(nw == 4 && nh == 2);
	vt_dn_letterbox_dims(768, 576, 416, 416, &nw, &nh);
	cr_assert(nw == 416 && nh == 312);
	vt_dn_letterbox_dims(352, 448, 416, 416, &nw, &nh);
	cr_assert(nw == 326 && nh == 416);
	{
		uint8_t g[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
		float o[48];

		vt_dn_preprocess(o, g, 4, 2, 1, 4, 4, VT_DN_LETTERBOX, tmp);
		for (int k = 0; k < 3; k++)
			for (int i = 0; i < 16; i++) {
				int y = i / 4;
				float want = y == 0 || y == 3 ? 0.5f :
					(float)(g[(y - 1) * 4 + i % 4] / 255.0);

				cr_assert_float_eq(o[k * 16 + i], want, 1e-7,
						   "%d %d", k, i);
			}
	}
}

static const char *fixture_or_skip(void)
{
	const char *dir = fixtures();

	if (!dir)
		cr_skip_test("../shared/fixtures/yolo not present");
	return dir;
}

static void load_png(const char *dir, const char *stem, struct vt_tensor *t)
{
	char p[256];
	struct vt_err err = { 0 };

	snprintf(p, sizeof p, "%s/images/%s.png", dir, stem);
	cr_assert_eq(vt_image_read(p, 3, NULL, t, &err), 0, "%s", err.msg);
}

static double prep_diff(const char *dir, const char *stem,
			enum vt_dn_resize mode, const char *ref, long skip)
{
	struct vt_tensor img;
	char p[256];
	float *out = malloc(sizeof(float) * 3 * 416 * 416), *want, *tmp;
	double worst = 0;
	FILE *f;

	load_png(dir, stem, &img);
	tmp = malloc(sizeof(float) * vt_dn_resize_tmp_n((int)img.shape[1],
				(int)img.shape[0], 416, 416));
	vt_dn_preprocess(out, img.data, (int)img.shape[1], (int)img.shape[0],
			 3, 416, 416, mode, tmp);
	snprintf(p, sizeof p, "%s/%s", dir, ref);
	f = fopen(p, "rb");
	cr_assert_not_null(f, "%s", p);
	fseek(f, skip, SEEK_SET);
	want = malloc(sizeof(float) * 3 * 416 * 416);
	cr_assert_eq(fread(want, sizeof(float), 3 * 416 * 416, f),
		     3 * 416 * 416u);
	fclose(f);
	for (size_t i = 0; i < 3 * 416 * 416; i++)
		worst = fmax(worst, fabs(out[i] - want[i]));
	free(out);
	free(want);
	free(tmp);
	vt_tensor_release(&img);
	return worst;
}

Test(darknet_fixture, letterbox_equals_darknet_input)
{
	const char *dir = fixture_or_skip();
	double d1 = prep_diff(dir, "dog", VT_DN_LETTERBOX,
			      "darknet/dog.input.f32", 0);
	double d2 = prep_diff(dir, "scream", VT_DN_LETTERBOX,
			      "darknet/scream.input.f32", 0);

	cr_log_info("letterbox max |diff|: dog %.3g, scream %.3g", d1, d2);
	cr_assert_leq(d1, 1e-6, "dog: %g", d1);
	cr_assert_leq(d2, 1e-6, "scream: %g", d2);
}

Test(darknet_fixture, stretch_equals_opencv_blob)
{
	const char *dir = fixture_or_skip();
	double d = prep_diff(dir, "dog", VT_DN_STRETCH, "opencv/dog.cvblob.npy",
			     128);

	cr_log_info("stretch max |diff| to OpenCV's blob: %.3g", d);
	cr_assert_leq(d, 1e-6, "%g", d);
}

/* ---- detections ---- */

struct ref_det {
	char stem[32];
	int cls;
	double prob, bx, by, bw, bh;
};

/* darknet/detections_t0.25.txt: stem class_id name... prob objectness bx
 * by bw bh left top right bot (names may hold spaces). */
static size_t read_ref_dets(const char *dir, struct ref_det *r, size_t max)
{
	char p[256], line[512];
	size_t n = 0;
	FILE *f;

	snprintf(p, sizeof p, "%s/darknet/detections_t0.25.txt", dir);
	f = fopen(p, "r");
	cr_assert_not_null(f, "%s", p);
	while (fgets(line, sizeof line, f) && n < max) {
		char *tok[64];
		int nt = 0;

		for (char *s = strtok(line, " \n"); s && nt < 64;
		     s = strtok(NULL, " \n"))
			tok[nt++] = s;
		cr_assert_geq(nt, 13);
		snprintf(r[n].stem, sizeof r[n].stem, "%s", tok[0]);
		r[n].cls = atoi(tok[1]);
		r[n].prob = atof(tok[nt - 10]);
		r[n].bx = atof(tok[nt - 8]);
		r[n].by = atof(tok[nt - 7]);
		r[n].bw = atof(tok[nt - 6]);
		r[n].bh = atof(tok[nt - 5]);
		n++;
	}
	fclose(f);
	return n;
}

static bool same_det(const struct ref_det *r, const struct vt_dn_det *d)
{
	double tol = 1e-4;

	return r->cls == d->class_id && fabs(r->prob - d->score) <= tol &&
	       fabs(r->bx - d->bx) <= tol * fmax(1, fabs(r->bx)) + 1e-6 &&
	       fabs(r->by - d->by) <= tol * fmax(1, fabs(r->by)) + 1e-6 &&
	       fabs(r->bw - d->bw) <= tol * fabs(r->bw) + 1e-6 &&
	       fabs(r->bh - d->bh) <= tol * fabs(r->bh) + 1e-6;
}

Test(darknet_fixture, detections_match_darknet)
{
	const char *dir = fixture_or_skip();
	static const char *const stems[] = { "dog", "eagle", "scream" };
	static struct ref_det ref[512];
	size_t nref = read_ref_dets(dir, ref, 512);
	struct vt_dn_net *net = tiny_with_fixture_weights(dir);
	struct vt_dn_decode_opts o = { .thresh = 0.25f, .nms = 0.45f };
	struct vt_err err = { 0 };

	cr_assert_gt(nref, 100u);
	for (int s = 0; s < 3; s++) {
		struct vt_tensor img;
		struct vt_dn_det *d;
		size_t n, matched = 0, want = 0;
		float *tmp;
		int w, h;

		load_png(dir, stems[s], &img);
		w = (int)img.shape[1];
		h = (int)img.shape[0];
		tmp = malloc(sizeof(float) * vt_dn_resize_tmp_n(w, h, 416, 416));
		vt_dn_preprocess(net->input, img.data, w, h, 3, 416, 416,
				 VT_DN_LETTERBOX, tmp);
		free(tmp);
		vt_dn_forward(net);
		cr_assert_eq(vt_dn_decode(net, w, h, &o, &d, &n, &err), 0);
		for (size_t i = 0; i < nref; i++) {
			bool hit = false;

			if (strcmp(ref[i].stem, stems[s]) ||
			    fabs(ref[i].prob - 0.25) < 1e-3)
				continue;
			want++;
			for (size_t j = 0; j < n && !hit; j++)
				hit = same_det(&ref[i], &d[j]);
			cr_expect(hit, "%s: darknet's class %d p %.6f at %.6f "
				  "%.6f not found", stems[s], ref[i].cls,
				  ref[i].prob, ref[i].bx, ref[i].by);
			matched += hit;
		}
		for (size_t j = 0; j < n; j++) {
			bool hit = fabs(d[j].score - 0.25) < 1e-3;

			for (size_t i = 0; i < nref && !hit; i++)
				hit = !strcmp(ref[i].stem, stems[s]) &&
				      same_det(&ref[i], &d[j]);
			cr_expect(hit, "%s: extra detection class %d p %.6f",
				  stems[s], d[j].class_id, d[j].score);
			/* pixel box from the relative one */
			cr_assert_float_eq(d[j].box[0],
					   (d[j].bx - d[j].bw / 2) * w, 1e-2);
			if (j)
				cr_assert_geq(d[j - 1].score, d[j].score);
		}
		cr_log_info("%s: %zu of %zu darknet detections matched, %zu "
			    "found", stems[s], matched, want, n);
		free(d);
		vt_tensor_release(&img);
	}
	vt_dn_net_free(net);
}

/* A bundled cfg with [net] width and height replaced (small, for speed). */
static char *cfg_at_size(const char *file, int w, int h)
{
	char p[256], line[1024];
	char *buf = NULL;
	size_t len = 0;
	FILE *in, *out = open_memstream(&buf, &len);

	snprintf(p, sizeof p, "../configs/yolo/%s", file);
	in = fopen(p, "r");
	cr_assert_not_null(in, "%s", p);
	while (fgets(line, sizeof line, in)) {
		if (strncmp(line, "width=", 6) == 0)
			fprintf(out, "width=%d\n", w);
		else if (strncmp(line, "height=", 7) == 0)
			fprintf(out, "height=%d\n", h);
		else
			fputs(line, out);
	}
	fclose(in);
	fclose(out);
	return buf;
}

/* Winograd layers whose filters are not a multiple of the register block
 * (21: a partial panel, a partial group of 8), on odd and tiny maps. */
Test(darknet_forward, winograd_odd_shapes_against_naive_reference)
{
	compare_with_reference(
		"[net]\nwidth=11\nheight=7\nchannels=3\n"
		"[convolutional]\nfilters=130\nsize=1\nstride=1\n"
		"activation=leaky\n"
		"[convolutional]\nbatch_normalize=1\nfilters=21\nsize=3\n"
		"stride=1\npad=1\nactivation=leaky\n"
		"[convolutional]\nfilters=129\nsize=1\nstride=1\n"
		"activation=linear\n"
		"[maxpool]\nsize=2\nstride=2\n"
		"[maxpool]\nsize=2\nstride=2\n"
		"[convolutional]\nfilters=35\nsize=3\nstride=1\npad=1\n"
		"activation=logistic\n", 9, 2e-5);
}

Test(darknet_forward, yolov4_tiny_against_naive_reference)
{
	char *cfg = cfg_at_size("yolov4-tiny.cfg", 64, 32);

	compare_with_reference(cfg, 3, 2e-5);
	free(cfg);
}

Test(darknet_forward, yolov3_against_naive_reference)
{
	char *cfg = cfg_at_size("yolov3.cfg", 32, 32);

	/* 75 convolutions deep: float32 rounding grows to a few 1e-5 */
	compare_with_reference(cfg, 5, 1e-4);
	free(cfg);
}

Test(darknet_weights, synthetic_is_deterministic_and_full_size)
{
	struct vt_err err = { 0 };
	char *cfg = cfg_at_size("yolov3-tiny.cfg", 32, 32);
	struct vt_dn_net *a = parse(cfg, 0, &err), *b = parse(cfg, 0, &err);
	char *ba = NULL, *bb = NULL;
	size_t la = 0, lb = 0;
	FILE *fa = open_memstream(&ba, &la), *fb = open_memstream(&bb, &lb);

	cr_assert_eq(vt_dn_net_synth(a, 1, &err), 0);
	cr_assert_eq(vt_dn_net_synth(b, 1, &err), 0);
	cr_assert_eq(vt_dn_weights_write(a, fa, "a", &err), 0);
	cr_assert_eq(vt_dn_weights_write(b, fb, "b", &err), 0);
	fclose(fa);
	fclose(fb);
	cr_assert_eq(la, 35434956u);   /* the official file's size */
	cr_assert_eq(la, lb);
	cr_assert(memcmp(ba, bb, la) == 0);
	cr_assert_float_eq(a->layers[0].biases[0], b->layers[0].biases[0], 0);
	free(ba);
	free(bb);
	free(cfg);
	vt_dn_net_free(a);
	vt_dn_net_free(b);
}

Test(nms, greedy_and_diou_hand_computed)
{
	/* 0 and 1 overlap with IoU 0.81; 2 is apart; 3 inside 2 with IoU 0.25
	 * and its centre away from 2's centre */
	const float boxes[16] = { 0, 0, 10, 10, 0, 0, 9, 9, 20, 20, 30, 30,
				  20, 20, 25, 25 };
	const float scores[4] = { 0.5f, 0.9f, 0.7f, 0.6f };
	size_t keep[4], n;
	struct vt_err err = { 0 };
	enum vt_nms_kind k;

	cr_assert_eq(vt_nms(keep, &n, boxes, scores, 4, 0.45f, VT_NMS_GREEDY,
			    &err), 0);
	cr_assert_eq(n, 3u);
	cr_assert(keep[0] == 1 && keep[1] == 2 && keep[2] == 3);
	cr_assert_eq(vt_nms(keep, &n, boxes, scores, 4, 0.2f, VT_NMS_GREEDY,
			    &err), 0);
	cr_assert_eq(n, 2u);
	/* DIoU of 2 and 3: 0.25 - 12.5/(200+1e-7) = 0.1875: kept at 0.2 */
	cr_assert_eq(vt_nms(keep, &n, boxes, scores, 4, 0.2f, VT_NMS_DIOU,
			    &err), 0);
	cr_assert_eq(n, 3u);
	cr_assert_eq(vt_nms_kind_parse("diou", &k), 0);
	cr_assert_eq(k, VT_NMS_DIOU);
	cr_assert_eq(vt_nms_kind_parse("soft", &k), VT_EINVAL);
	cr_assert_str_eq(vt_nms_kind_name(VT_NMS_GREEDY), "greedy");
}
