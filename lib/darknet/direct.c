/* direct.c - direct 3x3 pad 1 convolution, stride 1 or 2, for layers with
 * few input channels (3 -> 16 and 16 -> 32 at full resolution, yolov4-tiny's
 * first 3 -> 32 stride 2), where the im2col matrix is large and sgemm's
 * shapes are poor.
 *
 * The input is copied once into a zero-bordered buffer (c, h+2, pw), so
 * that no tap needs a bounds check; with stride 2 each padded row is split
 * into its even and its odd columns, (c, h+2, 2, pw), so that the taps of
 * 8 neighbouring outputs are still 8 consecutive floats.  The weights go
 * into blocks of
 * VT_DN_DIRECT_NF filters: (m/NF, c, 3, 3, NF).  Each output row is then
 * computed in blocks of NF filters x XB columns held in registers, summed
 * over channels and taps, plus the bias, then the activation.  With AVX2
 * and FMA (checked at run time) the products are fused multiply-adds;
 * otherwise a plain C loop does the same sums.
 */
#include <string.h>

#include "vt/darknet.h"

#define NF VT_DN_DIRECT_NF
#define NV 2                    /* vectors of 8 floats per block */
#define XB (8 * NV)             /* output columns per block */

static size_t round_up(size_t n, size_t k)
{
	return (n + k - 1) / k * k;
}

/* Output size of a 3x3 pad 1 convolution over n. */
static int out_side(int n, int stride)
{
	return (n - 1) / stride + 1;
}

/* Floats of one padded input row: stride 1, the row with a zero either
 * side, rounded so that the last block of outputs stays inside; stride 2,
 * its even columns then its odd columns, each that long. */
static size_t pad_w(int w, int stride)
{
	size_t ow = (size_t)out_side(w, stride);

	return stride == 1 ? round_up(ow, XB) + 2 : 2 * (round_up(ow, XB) + 1);
}

size_t vt_dn_direct_work_n(int c, int h, int w, int m, int stride)
{
	return (size_t)c * (size_t)(h + 2) * pad_w(w, stride) +
	       round_up((size_t)m, NF) * (size_t)c * 9 + XB;
}

/* Leaky (slope 0.1) and linear finish in the kernels; the others after. */
static void finish_row(float *o, int n, enum vt_dn_act act)
{
	if (act != VT_DN_LINEAR && act != VT_DN_LEAKY)
		vt_dn_activate(o, (size_t)n, act);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static void rows_avx2(float *out, const float *p, const float *wk,
		      const float *bias, int m, int c, int h, int w,
		      size_t pw, int stride, const size_t tap[3],
		      enum vt_dn_act act)
{
	size_t ph = (size_t)h + 2;
	int oh = out_side(h, stride), ow = out_side(w, stride);
	const __m256 slope = _mm256_set1_ps(0.1f);

	for (int f0 = 0; f0 < m; f0 += NF) {
		const float *wb = wk + (size_t)f0 * c * 9;
		int nf = m - f0 < NF ? m - f0 : NF;

		for (int y = 0; y < oh; y++)
			for (int x = 0; x < ow; x += XB) {
				__m256 acc[NF][NV];
				float tail[XB];

#pragma GCC unroll 4
				for (int f = 0; f < NF; f++)
#pragma GCC unroll 4
					for (int j = 0; j < NV; j++)
						acc[f][j] = _mm256_setzero_ps();
				for (int ch = 0; ch < c; ch++)
					for (int ky = 0; ky < 3; ky++) {
						const float *r = p + ((size_t)ch * ph + (size_t)stride * y + ky) * pw + x;
						const float *wt = wb + ((size_t)ch * 9 + ky * 3) * NF;

#pragma GCC unroll 3
						for (int kx = 0; kx < 3; kx++, wt += NF) {
							__m256 v[NV];

#pragma GCC unroll 4
							for (int j = 0; j < NV; j++)
								v[j] = _mm256_loadu_ps(r + tap[kx] + 8 * j);

#pragma GCC unroll 4
							for (int f = 0; f < NF; f++) {
								__m256 b = _mm256_broadcast_ss(wt + f);

#pragma GCC unroll 4
								for (int j = 0; j < NV; j++)
									acc[f][j] = _mm256_fmadd_ps(b, v[j], acc[f][j]);
							}
						}
					}
				for (int f = 0; f < nf; f++) {
					__m256 b = _mm256_set1_ps(bias[f0 + f]);
					float *o = out + ((size_t)(f0 + f) * oh + y) * ow + x;
					int n = ow - x < XB ? ow - x : XB;

					for (int j = 0; j < NV; j++) {
						__m256 v = _mm256_add_ps(acc[f][j], b);

						if (act == VT_DN_LEAKY)
							v = _mm256_max_ps(v, _mm256_mul_ps(v, slope));
						if (n == XB)
							_mm256_storeu_ps(o + 8 * j, v);
						else
							_mm256_storeu_ps(tail + 8 * j, v);
					}
					if (n < XB)
						memcpy(o, tail, sizeof(float) * (size_t)n);
					finish_row(o, n, act);
				}
			}
	}
}
#endif

static void rows_c(float *out, const float *p, const float *wk,
		   const float *bias, int m, int c, int h, int w, size_t pw,
		   int stride, const size_t tap[3], enum vt_dn_act act)
{
	size_t ph = (size_t)h + 2;
	int oh = out_side(h, stride), ow = out_side(w, stride);

	for (int f0 = 0; f0 < m; f0 += NF) {
		const float *wb = wk + (size_t)f0 * c * 9;
		int nf = m - f0 < NF ? m - f0 : NF;

		for (int y = 0; y < oh; y++)
			for (int x = 0; x < ow; x += XB) {
				float acc[NF][XB] = { { 0 } };
				int n = ow - x < XB ? ow - x : XB;

				for (int ch = 0; ch < c; ch++)
					for (int ky = 0; ky < 3; ky++) {
						const float *r = p + ((size_t)ch * ph + (size_t)stride * y + ky) * pw + x;
						const float *wt = wb + ((size_t)ch * 9 + ky * 3) * NF;

						for (int kx = 0; kx < 3; kx++, wt += NF)
							for (int f = 0; f < NF; f++)
								for (int i = 0; i < XB; i++)
									acc[f][i] += wt[f] * r[tap[kx] + i];
					}
				for (int f = 0; f < nf; f++) {
					float *o = out + ((size_t)(f0 + f) * oh + y) * ow + x;

					for (int i = 0; i < n; i++) {
						float v = acc[f][i] + bias[f0 + f];

						o[i] = act == VT_DN_LEAKY && !(v > 0) ?
						       0.1f * v : v;
					}
					finish_row(o, n, act);
				}
			}
	}
}

void vt_dn_conv3x3_direct(float *out, const float *in, const float *weights,
			  const float *bias, int m, int c, int h, int w,
			  int stride, enum vt_dn_act act, float *work)
{
	size_t pw = pad_w(w, stride), ph = (size_t)h + 2, half = pw / 2;
	float *p = work, *wk = work + (size_t)c * ph * pw;
	size_t mr = round_up((size_t)m, NF);
	/* where tap kx of output 0 is in a padded row */
	const size_t tap1[3] = { 0, 1, 2 }, tap2[3] = { 0, half, 1 };
	const size_t *tap = stride == 1 ? tap1 : tap2;

	VT_BUG(stride != 1 && stride != 2);
	/* zero-bordered copy of the input */
	for (int ch = 0; ch < c; ch++) {
		float *d = p + (size_t)ch * ph * pw;

		memset(d, 0, sizeof(float) * pw);
		for (int y = 0; y < h; y++) {
			float *row = d + (size_t)(y + 1) * pw;
			const float *src = in + ((size_t)ch * h + y) * w;

			if (stride == 1) {
				row[0] = 0.0f;
				memcpy(row + 1, src, sizeof(float) * (size_t)w);
				memset(row + 1 + w, 0,
				       sizeof(float) * (pw - 1 - (size_t)w));
				continue;
			}
			/* padded column j = input column j - 1: even j
			 * to row[j / 2], odd j to row[half + j / 2] */
			memset(row, 0, sizeof(float) * pw);
			for (int x = 0; x < w; x++)
				row[(x + 1) % 2 * half + (size_t)(x + 1) / 2] =
					src[x];
		}
		memset(d + (size_t)(h + 1) * pw, 0, sizeof(float) * pw);
	}
	/* weights (m, c, 3, 3) -> (m/NF, c, 9, NF), zero beyond m */
	for (size_t f = 0; f < mr; f++)
		for (int ch = 0; ch < c; ch++)
			for (int k = 0; k < 9; k++)
				wk[((f / NF * (size_t)c + ch) * 9 + k) * NF + f % NF] =
					f < (size_t)m ?
					weights[((size_t)f * c + ch) * 9 + k] : 0.0f;
#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		rows_avx2(out, p, wk, bias, m, c, h, w, pw, stride, tap, act);
		return;
	}
#endif
	rows_c(out, p, wk, bias, m, c, h, w, pw, stride, tap, act);
}
