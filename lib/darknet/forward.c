/* forward.c - darknet layers' inference forward in float32.
 *
 * Convolution is im2col + cblas_sgemm (a 1x1 stride 1 convolution without
 * padding multiplies the input directly), the direct kernel (direct.c) for
 * 3x3 layers with few input channels, or Winograd F(2x2,3x3) on vt_dn_pgemm
 * (pgemm.c) from 128 input channels; bias and activation after.  Every
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

/* Rows y0..y1-1 of the output: out (c*k*k, (y1-y0)*ow). */
static void im2col_rows(float *out, const float *in, int c, int h, int w,
			int k, int stride, int pad, int y0, int y1, int ow)
{
	size_t n = (size_t)(y1 - y0) * ow;

	for (int r = 0; r < c * k * k; r++) {
		int kx = r % k, ky = (r / k) % k, ch = r / (k * k);
		const float *src = in + (size_t)ch * h * w;
		float *dst = out + (size_t)r * n;
		/* output columns whose input column is inside the image */
		int x0 = 0, x1 = ow;

		while (x0 < ow && kx + x0 * stride - pad < 0)
			x0++;
		while (x1 > x0 && kx + (x1 - 1) * stride - pad >= w)
			x1--;
		for (int y = y0; y < y1; y++, dst += ow) {
			int iy = ky + y * stride - pad;
			const float *row = src + (size_t)iy * w + kx - pad;

			if (iy < 0 || iy >= h) {
				memset(dst, 0, sizeof(float) * (size_t)ow);
				continue;
			}
			for (int x = 0; x < x0; x++)
				dst[x] = 0.0f;
			if (stride == 1) {
				memcpy(dst + x0, row + x0,
				       sizeof(float) * (size_t)(x1 - x0));
			} else {
				for (int x = x0; x < x1; x++)
					dst[x] = row[x * stride];
			}
			for (int x = x1; x < ow; x++)
				dst[x] = 0.0f;
		}
	}
}

void vt_dn_im2col(float *out, const float *in, int c, int h, int w, int k,
		  int stride, int pad)
{
	int oh = (h + 2 * pad - k) / stride + 1;
	int ow = (w + 2 * pad - k) / stride + 1;

	im2col_rows(out, in, c, h, w, k, stride, pad, 0, oh, ow);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* Outputs [0, ow8) of one row of maxpool_2x2, 8 at a time, the same
 * comparisons in the same order as the plain loop (a row's pairs first,
 * then the two rows; _mm256_max_ps(p, q) is p > q ? p : q). */
__attribute__((target("avx2")))
static int maxpool_2x2_row_avx2(float *dst, const float *a, const float *b,
				int ow)
{
	int x = 0;

	for (; x + 8 <= ow; x += 8) {
		__m256 a0 = _mm256_loadu_ps(a + 2 * x);
		__m256 a1 = _mm256_loadu_ps(a + 2 * x + 8);
		__m256 b0 = _mm256_loadu_ps(b + 2 * x);
		__m256 b1 = _mm256_loadu_ps(b + 2 * x + 8);
		__m256 ma = _mm256_max_ps(_mm256_shuffle_ps(a0, a1, 0x88),
					  _mm256_shuffle_ps(a0, a1, 0xdd));
		__m256 mb = _mm256_max_ps(_mm256_shuffle_ps(b0, b1, 0x88),
					  _mm256_shuffle_ps(b0, b1, 0xdd));
		__m256 m = _mm256_max_ps(ma, mb);

		/* lanes hold outputs 0 1 4 5 | 2 3 6 7 */
		m = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(m),
							   0xd8));
		_mm256_storeu_ps(dst + x, m);
	}
	return x;
}
#endif

/* The common 2x2 stride 2 pool of an even-sized map, no padding needed. */
static void maxpool_2x2(float *out, const float *in, int c, int h, int w)
{
	int oh = h / 2, ow = w / 2;
#if defined(__x86_64__) && defined(__GNUC__)
	bool avx2 = __builtin_cpu_supports("avx2");
#endif

	for (int ch = 0; ch < c; ch++) {
		const float *src = in + (size_t)ch * h * w;
		float *dst = out + (size_t)ch * oh * ow;

		for (int y = 0; y < oh; y++, dst += ow) {
			const float *a = src + (size_t)2 * y * w, *b = a + w;
			int x0 = 0;

#if defined(__x86_64__) && defined(__GNUC__)
			if (avx2)
				x0 = maxpool_2x2_row_avx2(dst, a, b, ow);
#endif
			for (int x = x0; x < ow; x++) {
				float m0 = a[2 * x] > a[2 * x + 1] ?
					   a[2 * x] : a[2 * x + 1];
				float m1 = b[2 * x] > b[2 * x + 1] ?
					   b[2 * x] : b[2 * x + 1];

				dst[x] = m0 > m1 ? m0 : m1;
			}
		}
	}
}

void vt_dn_maxpool(float *out, const float *in, int c, int h, int w,
		   int size, int stride, int pad, int oh, int ow)
{
	int off = -pad / 2;

	if (size == 2 && stride == 2 && off == 0 && h % 2 == 0 &&
	    w % 2 == 0 && oh == h / 2 && ow == w / 2) {
		maxpool_2x2(out, in, c, h, w);
		return;
	}
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

bool vt_dn_conv_wino(const struct vt_dn_layer *l)
{
	return l->type == VT_DN_CONV && l->size == 3 && l->stride == 1 &&
	       l->pad == 1 && l->groups == 1 && l->c >= VT_DN_WINO_MIN_C;
}

/*
 * Winograd F(2x2,3x3) (Lavin and Gray 2015): a 2x2 output tile is
 * A^T [(G g G^T) . (B^T d B)] A for the 4x4 input tile d, with
 *   G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  A^T = [1 1 1 0; 0 1 -1 -1].
 * The elementwise products over channels are 16 matrix products.
 */

/* u: 16 matrices (filters, c) from w: (filters, c, 3, 3), each packed for
 * vt_dn_pgemm (vt_dn_pgemm_a_n(filters, c) floats apart; the rows beyond
 * filters stay zero). */
static void wino_weights(float *u, const float *w, int filters, int c)
{
	size_t un = vt_dn_pgemm_a_n(filters, c);

	for (int f = 0; f < filters; f++)
		for (int ch = 0; ch < c; ch++) {
			const float *g = w + 9 * ((size_t)f * c + ch);
			size_t o = ((size_t)(f / VT_DN_PG_MR) * c + ch) *
				   VT_DN_PG_MR + f % VT_DN_PG_MR;
			float t[4][3];

			for (int j = 0; j < 3; j++) {
				t[0][j] = g[j];
				t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
				t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
				t[3][j] = g[6 + j];
			}
			for (int r = 0; r < 4; r++) {
				u[(4 * r + 0) * un + o] = t[r][0];
				u[(4 * r + 1) * un + o] =
					0.5f * (t[r][0] + t[r][1] + t[r][2]);
				u[(4 * r + 2) * un + o] =
					0.5f * (t[r][0] - t[r][1] + t[r][2]);
				u[(4 * r + 3) * un + o] = t[r][2];
			}
		}
}

/* Where tile t of channel ch goes in one packed (c, tiles) matrix. */
static size_t vpos(int ch, size_t t, int c)
{
	return ((t / VT_DN_PG_NR) * (size_t)c + (size_t)ch) * VT_DN_PG_NR +
	       t % VT_DN_PG_NR;
}

/* v: 16 matrices (c, tiles) from in: (c, h, w), padding 1, each packed for
 * vt_dn_pgemm (vt_dn_pgemm_b_n(c, tiles) floats apart, zero beyond the
 * last tile). */
static void wino_input(float *v, const float *in, int c, int h, int w)
{
	int th = (h + 1) / 2, tw = (w + 1) / 2;
	size_t nt = (size_t)th * tw, vn = vt_dn_pgemm_b_n(c, (int)nt);

	for (int ch = 0; ch < c; ch++) {
		const float *src = in + (size_t)ch * h * w;

		for (size_t t = nt; t % VT_DN_PG_NR; t++)
			for (int k = 0; k < 16; k++)
				v[k * vn + vpos(ch, t, c)] = 0.0f;
		for (int ty = 0; ty < th; ty++)
			for (int tx = 0; tx < tw; tx++) {
				float d[4][4], b[4][4];
				int y0 = 2 * ty - 1, x0 = 2 * tx - 1;
				size_t o = vpos(ch, (size_t)ty * tw + tx, c);

				if (y0 >= 0 && y0 + 4 <= h && x0 >= 0 &&
				    x0 + 4 <= w) {
					/* inside: no bounds to check */
					const float *p = src + (size_t)y0 * w +
							 x0;

					for (int i = 0; i < 4; i++, p += w)
						memcpy(d[i], p, sizeof d[i]);
				} else {
					for (int i = 0; i < 4; i++)
						for (int j = 0; j < 4; j++) {
							int y = y0 + i, x = x0 + j;

							d[i][j] = y >= 0 && y < h &&
								  x >= 0 && x < w ?
								  src[(size_t)y * w + x] :
								  0.0f;
						}
				}
				for (int j = 0; j < 4; j++) {
					b[0][j] = d[0][j] - d[2][j];
					b[1][j] = d[1][j] + d[2][j];
					b[2][j] = d[2][j] - d[1][j];
					b[3][j] = d[1][j] - d[3][j];
				}
				for (int i = 0; i < 4; i++) {
					v[(4 * i + 0) * vn + o] = b[i][0] - b[i][2];
					v[(4 * i + 1) * vn + o] = b[i][1] + b[i][2];
					v[(4 * i + 2) * vn + o] = b[i][2] - b[i][1];
					v[(4 * i + 3) * vn + o] = b[i][1] - b[i][3];
				}
			}
	}
}

/* The output transform of one tile for filters [0, nf) (at most 8): y[i][f]
 * from the products a[k] (those of filter f at a[k][f]), written to dst
 * (filter f's plane at dst + f * hw) where inside the map. */
static void wino_tile_out(float *dst, size_t hw, int nf, float y[4][8],
			  int y0, int x0, int h, int w)
{
	for (int f = 0; f < nf; f++) {
		float *d = dst + (size_t)f * hw;

		for (int i = 0; i < 2 && y0 + i < h; i++)
			for (int j = 0; j < 2 && x0 + j < w; j++)
				d[(size_t)(y0 + i) * w + x0 + j] = y[2 * i + j][f];
	}
}

#if defined(__x86_64__) && defined(__GNUC__)
/* wino_output for 8 filters at once; the same sums in the same order. */
__attribute__((target("avx2")))
static void wino_output_avx2(float *out, const float *m, int nf, size_t ldm,
			     int h, int w)
{
	int th = (h + 1) / 2, tw = (w + 1) / 2;
	size_t nt = (size_t)th * tw, hw = (size_t)h * w;

	for (int ty = 0; ty < th; ty++)
		for (int tx = 0; tx < tw; tx++) {
			const float *mt = m + ((size_t)ty * tw + tx) * ldm;

			for (int f0 = 0; f0 < nf; f0 += 8) {
				__m256 a[16], s0[4], s1[4];
				float y[4][8];

				for (int k = 0; k < 16; k++)
					a[k] = _mm256_loadu_ps(mt + k * nt * ldm + f0);
				for (int j = 0; j < 4; j++) {
					s0[j] = _mm256_add_ps(_mm256_add_ps(a[j], a[4 + j]),
							      a[8 + j]);
					s1[j] = _mm256_sub_ps(_mm256_sub_ps(a[4 + j], a[8 + j]),
							      a[12 + j]);
				}
				_mm256_storeu_ps(y[0], _mm256_add_ps(_mm256_add_ps(s0[0], s0[1]), s0[2]));
				_mm256_storeu_ps(y[1], _mm256_sub_ps(_mm256_sub_ps(s0[1], s0[2]), s0[3]));
				_mm256_storeu_ps(y[2], _mm256_add_ps(_mm256_add_ps(s1[0], s1[1]), s1[2]));
				_mm256_storeu_ps(y[3], _mm256_sub_ps(_mm256_sub_ps(s1[1], s1[2]), s1[3]));
				wino_tile_out(out + (size_t)f0 * hw, hw,
					      nf - f0 < 8 ? nf - f0 : 8, y, 2 * ty,
					      2 * tx, h, w);
			}
		}
}
#endif

/* out: (nf, h, w) from m: (16, tiles, ldm), the products of a tile side by
 * side, filter f at f (ldm a multiple of 8 at least nf). */
static void wino_output(float *out, const float *m, int nf, size_t ldm,
			int h, int w)
{
	int th = (h + 1) / 2, tw = (w + 1) / 2;
	size_t nt = (size_t)th * tw, hw = (size_t)h * w;

#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("avx2")) {
		wino_output_avx2(out, m, nf, ldm, h, w);
		return;
	}
#endif
	for (int ty = 0; ty < th; ty++)
		for (int tx = 0; tx < tw; tx++) {
			const float *mt = m + ((size_t)ty * tw + tx) * ldm;

			for (int f0 = 0; f0 < nf; f0 += 8) {
				float y[4][8];

				for (int f = 0; f < 8; f++) {
					float a[4][4], s[2][4];

					for (int k = 0; k < 16; k++)
						a[k / 4][k % 4] = mt[k * nt * ldm + f0 + f];
					for (int j = 0; j < 4; j++) {
						s[0][j] = a[0][j] + a[1][j] + a[2][j];
						s[1][j] = a[1][j] - a[2][j] - a[3][j];
					}
					for (int i = 0; i < 2; i++) {
						y[2 * i][f] = s[i][0] + s[i][1] + s[i][2];
						y[2 * i + 1][f] = s[i][1] - s[i][2] - s[i][3];
					}
				}
				wino_tile_out(out + (size_t)f0 * hw, hw,
					      nf - f0 < 8 ? nf - f0 : 8, y, 2 * ty,
					      2 * tx, h, w);
			}
		}
}

bool vt_dn_conv_direct(const struct vt_dn_layer *l)
{
	return l->type == VT_DN_CONV && l->size == 3 &&
	       (l->stride == 1 || l->stride == 2) && l->pad == 1 &&
	       l->groups == 1 && l->c <= VT_DN_DIRECT_MAX_C &&
	       !vt_dn_conv_wino(l);
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
	for (int i = 0; i < net->n && !net->shared; i++) {
		struct vt_dn_layer *l = &net->layers[i];

		if (l->wino) {
			wino_weights(l->wino, l->weights, l->filters, l->c);
			l->wino_ready = true;
		}
	}
}

#if defined(__x86_64__) && defined(__GNUC__)
/* bias_act's leaky and linear rows with AVX2: the same sum, and
 * max(v, 0.1 v) is v > 0 ? v : 0.1 v for every non-NaN v (-0 included). */
__attribute__((target("avx2")))
static void bias_act_avx2(float *c, const float *bias, int m, int n,
			  size_t ld, enum vt_dn_act act)
{
	const __m256 slope = _mm256_set1_ps(0.1f);

	for (int f = 0; f < m; f++) {
		float *o = c + (size_t)f * ld, b = bias[f];
		__m256 vb = _mm256_set1_ps(b);
		int i = 0;

		for (; i + 8 <= n; i += 8) {
			__m256 v = _mm256_add_ps(_mm256_loadu_ps(o + i), vb);

			if (act == VT_DN_LEAKY)
				v = _mm256_max_ps(v, _mm256_mul_ps(v, slope));
			_mm256_storeu_ps(o + i, v);
		}
		for (; i < n; i++) {
			float v = o[i] + b;

			o[i] = act == VT_DN_LEAKY && !(v > 0) ? 0.1f * v : v;
		}
	}
}
#endif

/* Bias then activation in one pass over rows of n values, ld apart. */
static void bias_act(float *c, const float *bias, int m, int n, size_t ld,
		     enum vt_dn_act act)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if ((act == VT_DN_LEAKY || act == VT_DN_LINEAR) &&
	    __builtin_cpu_supports("avx2")) {
		bias_act_avx2(c, bias, m, n, ld, act);
		return;
	}
#endif
	for (int f = 0; f < m; f++) {
		float *o = c + (size_t)f * ld, b = bias[f];

		switch (act) {
		case VT_DN_LEAKY:
			for (int i = 0; i < n; i++) {
				float v = o[i] + b;

				o[i] = v > 0 ? v : 0.1f * v;
			}
			break;
		case VT_DN_LINEAR:
			for (int i = 0; i < n; i++)
				o[i] += b;
			break;
		default:
			for (int i = 0; i < n; i++)
				o[i] += b;
			vt_dn_activate(o, (size_t)n, act);
		}
	}
}

/* Output rows per im2col tile: the whole map when the column matrix is
 * small, else enough rows for about VT_DN_TILE floats (at least
 * VT_DN_TILE_MIN columns) so that the tile is still in cache when sgemm
 * reads it. */
#define VT_DN_TILE ((size_t)1 << 17)
#define VT_DN_TILE_MIN 1024

static int tile_rows(int kk, int oh, int ow)
{
	size_t cols = VT_DN_TILE / (size_t)kk;
	int rows;

	if (cols < VT_DN_TILE_MIN)
		cols = VT_DN_TILE_MIN;
	rows = (int)(cols / (size_t)ow);
	if (rows < 1)
		rows = 1;
	return rows < oh ? rows : oh;
}

/* Filters per chunk of the Winograd products: a multiple of VT_DN_PG_MR
 * whose 16 (chunk, tiles) products fit in about VT_DN_WINO_CHUNK floats
 * (L2), at least one panel. */
#define VT_DN_WINO_CHUNK ((size_t)1 << 16)

static int wino_chunk(int filters, size_t nt)
{
	size_t f = VT_DN_WINO_CHUNK / (16 * nt) / VT_DN_PG_MR * VT_DN_PG_MR;

	if (f < VT_DN_PG_MR)
		f = VT_DN_PG_MR;
	return f < (size_t)filters ? (int)f : filters;
}

static void conv_forward(struct vt_dn_net *net, struct vt_dn_layer *l,
			 const float *in)
{
	int g = l->groups, m = l->filters / g, kc = l->c / g;
	int kk = kc * l->size * l->size;
	int n = l->out_h * l->out_w;
	bool direct = l->size == 1 && l->stride == 1 && l->pad == 0;
	int rows = direct ? l->out_h : tile_rows(kk, l->out_h, l->out_w);

	VT_BUG(l->batch_norm && !l->folded);   /* vt_dn_net_fold first */
	if (vt_dn_conv_direct(l)) {
		vt_dn_conv3x3_direct(l->out, in, l->weights, l->biases,
				     l->filters, l->c, l->h, l->w, l->stride,
				     l->act, net->work);
		return;
	}
	if (l->wino && l->wino_ready) {
		size_t nt = (size_t)((l->out_h + 1) / 2) * ((l->out_w + 1) / 2);
		size_t vn = vt_dn_pgemm_b_n(l->c, (int)nt);
		size_t un = vt_dn_pgemm_a_n(l->filters, l->c);
		float *v = net->work, *p = v + 16 * vn;
		int fc = wino_chunk(l->filters, nt);

		wino_input(v, in, l->c, l->h, l->w);
		/* a chunk of filters at a time, all 16 products then the
		 * output transform, while the products are still in cache */
		for (int f0 = 0; f0 < l->filters; f0 += fc) {
			int nf = l->filters - f0 < fc ? l->filters - f0 : fc;
			size_t ldm = vt_dn_pgemm_a_n(nf, 1);
			float *o = l->out + (size_t)f0 * n;

			for (int k = 0; k < 16; k++)
				vt_dn_pgemm_t(p + k * nt * ldm, ldm,
					      l->wino + k * un + (size_t)f0 * l->c,
					      v + k * vn, nf, (int)nt, l->c);
			wino_output(o, p, nf, ldm, l->out_h, l->out_w);
			bias_act(o, l->biases + f0, nf, n, (size_t)n, l->act);
		}
		return;
	}

	for (int j = 0; j < g; j++) {
		const float *x = in + (size_t)j * kc * l->h * l->w;
		const float *a = l->weights + (size_t)j * m * kk;
		const float *bias = l->biases + (size_t)j * m;
		float *c = l->out + (size_t)j * m * n;

		if (direct) {
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
				    m, n, kk, 1.0f, a, kk, x, n, 0.0f, c, n);
			bias_act(c, bias, m, n, (size_t)n, l->act);
			continue;
		}
		for (int y0 = 0; y0 < l->out_h; y0 += rows) {
			int y1 = y0 + rows < l->out_h ? y0 + rows : l->out_h;
			int tn = (y1 - y0) * l->out_w;
			float *ct = c + (size_t)y0 * l->out_w;

			im2col_rows(net->work, x, kc, l->h, l->w, l->size,
				    l->stride, l->pad, y0, y1, l->out_w);
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
				    m, tn, kk, 1.0f, a, kk, net->work, tn, 0.0f,
				    ct, n);
			bias_act(ct, bias, m, tn, (size_t)n, l->act);
		}
	}
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
