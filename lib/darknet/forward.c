/* forward.c - darknet layers' inference forward in float32.
 *
 * Convolution is im2col + cblas_sgemm (a 1x1 stride 1 convolution without
 * padding multiplies the input directly), bias and activation after.  Every
 * buffer lives in the network (arena and im2col work buffer): nothing here
 * allocates.
 */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "vt/darknet.h"

static float logistic(float x)
{
	return 1.0f / (1.0f + expf(-x));
}

static float softplus(float x)
{
	if (x > 20.0f)
		return x;
	if (x < -20.0f)
		return expf(x);
	return logf(expf(x) + 1.0f);
}

void vt_dn_activate(float *x, size_t n, enum vt_dn_act a)
{
	switch (a) {
	case VT_DN_LINEAR:
		break;
	case VT_DN_LEAKY:
		for (size_t i = 0; i < n; i++)
			x[i] = x[i] > 0 ? x[i] : 0.1f * x[i];
		break;
	case VT_DN_RELU:
		for (size_t i = 0; i < n; i++)
			x[i] = x[i] > 0 ? x[i] : 0.0f;
		break;
	case VT_DN_LOGISTIC:
		for (size_t i = 0; i < n; i++)
			x[i] = logistic(x[i]);
		break;
	case VT_DN_MISH:
		for (size_t i = 0; i < n; i++)
			x[i] = x[i] * tanhf(softplus(x[i]));
		break;
	case VT_DN_SWISH:
		for (size_t i = 0; i < n; i++)
			x[i] = x[i] * logistic(x[i]);
		break;
	default:
		VT_BUG(1);
	}
}

void vt_dn_im2col(float *out, const float *in, int c, int h, int w, int k,
		  int stride, int pad)
{
	int oh = (h + 2 * pad - k) / stride + 1;
	int ow = (w + 2 * pad - k) / stride + 1;

	for (int r = 0; r < c * k * k; r++) {
		int kx = r % k, ky = (r / k) % k, ch = r / (k * k);
		const float *src = in + (size_t)ch * h * w;
		float *dst = out + (size_t)r * oh * ow;

		for (int y = 0; y < oh; y++) {
			int iy = ky + y * stride - pad;

			if (iy < 0 || iy >= h) {
				memset(dst + (size_t)y * ow, 0,
				       sizeof(float) * (size_t)ow);
				continue;
			}
			for (int x = 0; x < ow; x++) {
				int ix = kx + x * stride - pad;

				dst[(size_t)y * ow + x] = ix >= 0 && ix < w ?
					src[(size_t)iy * w + ix] : 0.0f;
			}
		}
	}
}

void vt_dn_maxpool(float *out, const float *in, int c, int h, int w,
		   int size, int stride, int pad, int oh, int ow)
{
	int off = -pad / 2;

	for (int ch = 0; ch < c; ch++) {
		const float *src = in + (size_t)ch * h * w;
		float *dst = out + (size_t)ch * oh * ow;

		for (int y = 0; y < oh; y++)
			for (int x = 0; x < ow; x++) {
				float m = -FLT_MAX;

				for (int dy = 0; dy < size; dy++) {
					int iy = off + y * stride + dy;

					if (iy < 0 || iy >= h)
						continue;
					for (int dx = 0; dx < size; dx++) {
						int ix = off + x * stride + dx;

						if (ix >= 0 && ix < w &&
						    src[(size_t)iy * w + ix] > m)
							m = src[(size_t)iy * w + ix];
					}
				}
				dst[(size_t)y * ow + x] = m;
			}
	}
}

void vt_dn_net_fold(struct vt_dn_net *net)
{
	for (int i = 0; i < net->n; i++) {
		struct vt_dn_layer *l = &net->layers[i];
		size_t per;

		if (l->type != VT_DN_CONV || !l->batch_norm || l->folded)
			continue;
		per = l->n_weights / (size_t)l->filters;
		for (int f = 0; f < l->filters; f++) {
			float s = l->scales[f] / (sqrtf(l->var[f]) + 1e-6f);

			for (size_t j = 0; j < per; j++)
				l->weights[(size_t)f * per + j] *= s;
			l->biases[f] -= l->mean[f] * s;
		}
		l->folded = true;
	}
}

static void conv_forward(struct vt_dn_net *net, struct vt_dn_layer *l,
			 const float *in)
{
	int g = l->groups, m = l->filters / g, kc = l->c / g;
	int kk = kc * l->size * l->size;
	int n = l->out_h * l->out_w;
	bool direct = l->size == 1 && l->stride == 1 && l->pad == 0;

	VT_BUG(l->batch_norm && !l->folded);   /* vt_dn_net_fold first */

	for (int j = 0; j < g; j++) {
		const float *x = in + (size_t)j * kc * l->h * l->w;
		const float *a = l->weights + (size_t)j * m * kk;
		float *c = l->out + (size_t)j * m * n;

		if (!direct) {
			vt_dn_im2col(net->work, x, kc, l->h, l->w, l->size,
				     l->stride, l->pad);
			x = net->work;
		}
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, kk,
			    1.0f, a, kk, x, n, 0.0f, c, n);
	}
	for (int f = 0; f < l->filters; f++) {
		float *o = l->out + (size_t)f * n, b = l->biases[f];

		for (int i = 0; i < n; i++)
			o[i] += b;
	}
	vt_dn_activate(l->out, l->out_n, l->act);
}

static void upsample_forward(struct vt_dn_layer *l, const float *in)
{
	int s = l->stride;

	for (int ch = 0; ch < l->c; ch++)
		for (int y = 0; y < l->out_h; y++) {
			const float *src = in + ((size_t)ch * l->h + y / s) * l->w;
			float *dst = l->out + ((size_t)ch * l->out_h + y) * l->out_w;

			for (int x = 0; x < l->out_w; x++)
				dst[x] = l->scale * src[x / s];
		}
}

static void route_forward(struct vt_dn_net *net, struct vt_dn_layer *l)
{
	float *dst = l->out;

	for (int k = 0; k < l->n_in; k++) {
		const struct vt_dn_layer *s = &net->layers[l->in[k]];
		size_t part = s->out_n / (size_t)l->route_groups;

		memcpy(dst, s->out + part * (size_t)l->group_id,
		       part * sizeof(float));
		dst += part;
	}
}

static void yolo_forward(struct vt_dn_layer *l, const float *in)
{
	size_t hw = (size_t)l->h * l->w, per = (size_t)(l->classes + 5) * hw;

	memcpy(l->out, in, l->out_n * sizeof(float));
	for (int a = 0; a < l->n_mask; a++) {
		float *p = l->out + (size_t)a * per;

		vt_dn_activate(p, 2 * hw, VT_DN_LOGISTIC);
		if (l->scale_x_y != 1.0f) {
			float s = l->scale_x_y, b = -0.5f * (s - 1.0f);

			for (size_t i = 0; i < 2 * hw; i++)
				p[i] = p[i] * s + b;
		}
		vt_dn_activate(p + 4 * hw, (size_t)(1 + l->classes) * hw,
			       VT_DN_LOGISTIC);
	}
}

void vt_dn_forward_cb(struct vt_dn_net *net,
		      void (*cb)(void *arg, int layer), void *arg)
{
	for (int i = 0; i < net->n; i++) {
		struct vt_dn_layer *l = &net->layers[i];
		const float *in = i ? net->layers[i - 1].out : net->input;

		switch (l->type) {
		case VT_DN_CONV:
			conv_forward(net, l, in);
			break;
		case VT_DN_MAXPOOL:
			vt_dn_maxpool(l->out, in, l->c, l->h, l->w, l->size,
				      l->stride, l->pad, l->out_h, l->out_w);
			break;
		case VT_DN_UPSAMPLE:
			upsample_forward(l, in);
			break;
		case VT_DN_ROUTE:
			route_forward(net, l);
			break;
		case VT_DN_SHORTCUT: {
			const float *f = net->layers[l->from].out;

			for (size_t j = 0; j < l->out_n; j++)
				l->out[j] = in[j] + f[j];
			vt_dn_activate(l->out, l->out_n, l->act);
			break;
		}
		case VT_DN_YOLO:
			yolo_forward(l, in);
			break;
		default:
			VT_BUG(1);
		}
		if (cb)
			cb(arg, i);
	}
}

void vt_dn_forward(struct vt_dn_net *net)
{
	vt_dn_forward_cb(net, NULL, NULL);
}

double vt_dn_layer_flops(const struct vt_dn_net *net, int i)
{
	const struct vt_dn_layer *l = &net->layers[i];

	if (l->type != VT_DN_CONV)
		return 0.0;
	return 2.0 * (double)l->n_weights * l->out_h * l->out_w;
}
