/* pgemm.c - C = A B with A packed once at load time, for the Winograd
 * products, where one image gives few columns (49 tiles at 13x13) and
 * sgemm spends as long repacking the weights on every call as it does
 * multiplying.
 *
 * A (m, k) is packed into panels of VT_DN_PG_MR rows, (m/MR, k, MR), zero
 * rows beyond m; B (k, n) comes packed into panels of VT_DN_PG_NR columns,
 * (n/NR, k, NR), zero columns beyond n (the Winograd input transform writes
 * it so).  Each MR x NR block of C is a sum over k in order, in registers,
 * then stored: the same bits whatever the shape around it.  With AVX2 and
 * FMA (checked at run time) the products are fused multiply-adds;
 * otherwise a plain C loop does the same sums.
 */
#include <stdbool.h>

#include "vt/darknet.h"

#define MR VT_DN_PG_MR
#define NR VT_DN_PG_NR

static size_t round_up(size_t n, size_t k)
{
	return (n + k - 1) / k * k;
}

size_t vt_dn_pgemm_a_n(int m, int k)
{
	return round_up((size_t)m, MR) * (size_t)k;
}

size_t vt_dn_pgemm_b_n(int k, int n)
{
	return round_up((size_t)n, NR) * (size_t)k;
}

void vt_dn_pgemm_pack_a(float *pa, const float *a, int m, int k)
{
	size_t mr = round_up((size_t)m, MR);

	for (size_t i = 0; i < mr; i++)
		for (int p = 0; p < k; p++)
			pa[(i / MR * (size_t)k + (size_t)p) * MR + i % MR] =
				i < (size_t)m ? a[i * (size_t)k + (size_t)p] : 0.0f;
}

/* Rows [0, mr) and columns [0, nr) of an MR x NR block t (t[i][j] at
 * t + (i / 8 * NR + j) * 8 + i % 8) into c. */
static void store_block(float *c, size_t ldc, const float *t, int mr, int nr)
{
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nr; j++)
			c[(size_t)i * ldc + (size_t)j] = t[(i / 8 * NR + j) * 8 + i % 8];
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* One MR x nc block, nc <= NR a constant where it is inlined; trans:
 * stored as C^T, all MR rows. */
__attribute__((target("avx2,fma"), always_inline))
static inline void block_avx2(float *c, size_t ldc, const float *a,
			      const float *b, int k, int mr, int nc,
			      bool trans)
{
	__m256 acc[MR / 8][NR];
	float t[MR * NR];

#pragma GCC unroll 8
	for (int j = 0; j < nc; j++)
#pragma GCC unroll 2
		for (int i = 0; i < MR / 8; i++)
			acc[i][j] = _mm256_setzero_ps();
	for (int p = 0; p < k; p++, a += MR, b += NR) {
		__m256 a0 = _mm256_loadu_ps(a);
		__m256 a1 = _mm256_loadu_ps(a + 8);

#pragma GCC unroll 8
		for (int j = 0; j < nc; j++) {
			__m256 bj = _mm256_broadcast_ss(b + j);

			acc[0][j] = _mm256_fmadd_ps(a0, bj, acc[0][j]);
			acc[1][j] = _mm256_fmadd_ps(a1, bj, acc[1][j]);
		}
	}
	if (trans) {
#pragma GCC unroll 8
		for (int j = 0; j < nc; j++)
#pragma GCC unroll 2
			for (int i = 0; i < MR / 8; i++)
				_mm256_storeu_ps(c + (size_t)j * ldc + 8 * i,
						 acc[i][j]);
		return;
	}
#pragma GCC unroll 8
	for (int j = 0; j < nc; j++)
#pragma GCC unroll 2
		for (int i = 0; i < MR / 8; i++)
			_mm256_storeu_ps(t + (i * NR + j) * 8, acc[i][j]);
	store_block(c, ldc, t, mr, nc);
}

/* The blocks of C (trans: of C^T) along one panel of A, each column
 * count a constant. */
__attribute__((target("avx2,fma"), always_inline))
static inline void panel_avx2(float *c, size_t ldc, const float *ap,
			      const float *pb, int mr, int n, int k,
			      bool trans)
{
	for (int j0 = 0; j0 < n; j0 += NR) {
		const float *b = pb + (size_t)j0 * k;
		float *cb = c + (size_t)j0 * (trans ? ldc : 1);

		/* the last columns by a narrower block */
		switch (n - j0 < NR ? n - j0 : NR) {
		case 1:
			block_avx2(cb, ldc, ap, b, k, mr, 1, trans);
			break;
		case 2:
			block_avx2(cb, ldc, ap, b, k, mr, 2, trans);
			break;
		case 3:
			block_avx2(cb, ldc, ap, b, k, mr, 3, trans);
			break;
		case 4:
			block_avx2(cb, ldc, ap, b, k, mr, 4, trans);
			break;
		case 5:
			block_avx2(cb, ldc, ap, b, k, mr, 5, trans);
			break;
		default:
			block_avx2(cb, ldc, ap, b, k, mr, NR, trans);
		}
	}
}

__attribute__((target("avx2,fma")))
static void pgemm_avx2(float *c, size_t ldc, const float *pa,
		       const float *pb, int m, int n, int k, bool trans)
{
	for (int i0 = 0; i0 < m; i0 += MR) {
		const float *ap = pa + (size_t)i0 * k;
		int mr = m - i0 < MR ? m - i0 : MR;

		if (trans)
			panel_avx2(c + i0, ldc, ap, pb, mr, n, k, true);
		else
			panel_avx2(c + (size_t)i0 * ldc, ldc, ap, pb, mr, n, k,
				   false);
	}
}
#endif

static void pgemm_c(float *c, size_t ldc, const float *pa, const float *pb,
		    int m, int n, int k, bool trans)
{
	for (int i0 = 0; i0 < m; i0 += MR) {
		const float *ap = pa + (size_t)i0 * k;
		int mr = m - i0 < MR ? m - i0 : MR;

		for (int j0 = 0; j0 < n; j0 += NR) {
			const float *a = ap, *b = pb + (size_t)j0 * k;
			int nr = n - j0 < NR ? n - j0 : NR;
			float t[MR * NR] = { 0 };

			for (int p = 0; p < k; p++, a += MR, b += NR)
				for (int j = 0; j < NR; j++)
					for (int i = 0; i < MR; i++)
						t[(i / 8 * NR + j) * 8 + i % 8] +=
							a[i] * b[j];
			if (trans) {
				for (int j = 0; j < nr; j++)
					for (int i = 0; i < MR; i++)
						c[(size_t)(j0 + j) * ldc + i0 + i] =
							t[(i / 8 * NR + j) * 8 + i % 8];
				continue;
			}
			store_block(c + (size_t)i0 * ldc + j0, ldc, t, mr, nr);
		}
	}
}

static void pgemm(float *c, size_t ldc, const float *pa, const float *pb,
		  int m, int n, int k, bool trans)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		pgemm_avx2(c, ldc, pa, pb, m, n, k, trans);
		return;
	}
#endif
	pgemm_c(c, ldc, pa, pb, m, n, k, trans);
}

void vt_dn_pgemm(float *c, size_t ldc, const float *pa, const float *pb,
		 int m, int n, int k)
{
	pgemm(c, ldc, pa, pb, m, n, k, false);
}

void vt_dn_pgemm_t(float *ct, size_t ldc, const float *pa, const float *pb,
		   int m, int n, int k)
{
	pgemm(ct, ldc, pa, pb, m, n, k, true);
}
