/* vt/rng.h - a seeded random generator that gives the same numbers on every
 * machine.
 *
 * xoshiro256** seeded from (seed, stream) through splitmix64.  Streams are
 * independent: the draws for item i of a run use stream i, so a run split
 * across processes gives the same numbers as one run.  Floating-point results
 * use only correctly rounded IEEE operations (no libm), so they are the same
 * bits everywhere.
 */
#ifndef VT_RNG_H
#define VT_RNG_H

#include <stdint.h>

struct vt_rng {
	uint64_t s[4];
	double spare;       /* second normal deviate of the polar method */
	int has_spare;
};

void vt_rng_seed(struct vt_rng *r, uint64_t seed, uint64_t stream);

uint64_t vt_rng_u64(struct vt_rng *r);
uint32_t vt_rng_u32(struct vt_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double vt_rng_uniform(struct vt_rng *r);
/* Uniform float in [0, 1) with 24 random bits. */
float vt_rng_uniform_f32(struct vt_rng *r);
/* Uniform integer in [lo, hi] inclusive, unbiased; lo <= hi. */
int64_t vt_rng_range(struct vt_rng *r, int64_t lo, int64_t hi);
/* Standard normal N(0, 1) (Marsaglia polar method). */
double vt_rng_normal(struct vt_rng *r);

/* ln(x) for x > 0 from +, -, *, / only: bit-identical on every IEEE machine.
 * Accurate to a few ulp. */
double vt_det_log(double x);

#endif
