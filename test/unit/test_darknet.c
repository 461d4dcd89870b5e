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

	vt_dn_net_parse(cfg, strlen(cfg), "t.cfg", flags, &net, err);
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
	cr_assert_eq(vt_dn_net_load_cfg(p, 0, &net, &err), 0, "%s", err.msg);
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

static void compare_with_reference(const char *cfg, uint64_t seed)
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
		double worst = 0;

		for (size_t j = 0; j < l->out_n; j++) {
			double d = fabs(l->out[j] - ref[i][j]) / (1 + fabs(ref[i][j]));

			if (d > worst)
				worst = d;
		}
		cr_assert_lt(worst, 2e-5, "layer %d (%s): %g", i,
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
		7);
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
