/* rng.c - xoshiro256** with splitmix64 seeding; deterministic floats. */
#include <string.h>

#include "vt/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void vt_rng_seed(struct vt_rng *r, uint64_t seed, uint64_t stream)
{
	/* Mix the stream into the seed through one splitmix step of its own,
	 * so that (seed, stream) pairs map to unrelated states. */
	uint64_t sm = stream;
	uint64_t x = seed ^ splitmix64(&sm);

	memset(r, 0, sizeof *r);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1;
}

uint64_t vt_rng_u64(struct vt_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t vt_rng_u32(struct vt_rng *r)
{
	return (uint32_t)(vt_rng_u64(r) >> 32);
}

double vt_rng_uniform(struct vt_rng *r)
{
	return (double)(vt_rng_u64(r) >> 11) * 0x1p-53;
}

float vt_rng_uniform_f32(struct vt_rng *r)
{
	return (float)(vt_rng_u64(r) >> 40) * 0x1p-24f;
}

int64_t vt_rng_range(struct vt_rng *r, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo; /* hi - lo, no overflow */
	uint64_t x, limit;

	if (span == UINT64_MAX)
		return (int64_t)vt_rng_u64(r);
	span += 1;
	/* Reject the top partial bucket so every value is equally likely. */
	limit = UINT64_MAX - ((UINT64_MAX - span + 1) % span);
	do
		x = vt_rng_u64(r);
	while (x > limit);
	return (int64_t)((uint64_t)lo + x % span);
}

double vt_det_log(double x)
{
	/* x = m * 2^e with m in [sqrt(1/2), sqrt(2)); ln x = e ln2 + ln m.
	 * With f = m - 1 (exact) and s = f / (2 + f), as in fdlibm's log:
	 *   ln m = 2 atanh(s) = f - (f^2/2 - s (f^2/2 + R)),
	 *   R = sum_{k>=1} 2 s^(2k) / (2k+1).
	 * The exact f dominates and the correction is at most a fifth of the
	 * result, so rounding in it costs well under an ulp (|s| < 0.1716,
	 * s^2 < 0.0295: 12 terms reach 2^-60). */
	static const double ln2_hi = 6.93147180369123816490e-01; /* 21 low bits 0 */
	static const double ln2_lo = 1.90821492927058770002e-10;
	uint64_t bits;
	int e;
	double m, f, s, z, acc, hfsq;

	if (!(x > 0))
		return x == 0 ? -1.0 / 0.0 : (x - x) / (x - x);
	memcpy(&bits, &x, 8);
	e = (int)((bits >> 52) & 0x7ff);
	if (e == 0x7ff)
		return x;
	if (e == 0) { /* subnormal: scale up by 2^54 exactly */
		x *= 0x1p54;
		memcpy(&bits, &x, 8);
		e = (int)((bits >> 52) & 0x7ff) - 54;
	}
	e -= 1022;
	bits = (bits & 0x000fffffffffffffu) | 0x3fe0000000000000u; /* [0.5,1) */
	memcpy(&m, &bits, 8);
	if (m < 0.70710678118654752440) {
		m *= 2;
		e -= 1;
	}
	f = m - 1;
	s = f / (2 + f);
	z = s * s;
	acc = 0;
	for (int k = 12; k >= 1; k--)
		acc = acc * z + 2.0 / (2 * k + 1);
	hfsq = 0.5 * f * f;
	/* e ln2_hi is exact for |e| < 2^11 */
	return e * ln2_hi - ((hfsq - (s * (hfsq + z * acc) + e * ln2_lo)) - f);
}

double vt_rng_normal(struct vt_rng *r)
{
	double u, v, s, f;

	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	do {
		u = 2 * vt_rng_uniform(r) - 1;
		v = 2 * vt_rng_uniform(r) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	/* sqrt is correctly rounded by IEEE 754, so this stays deterministic */
	f = __builtin_sqrt(-2 * vt_det_log(s) / s);
	r->spare = v * f;
	r->has_spare = 1;
	return u * f;
}
