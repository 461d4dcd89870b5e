/* vt/stats.h - summary statistics of tensors in one streaming pass. */
#ifndef VT_STATS_H
#define VT_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "vt/dtype.h"

/*
 * min, max, mean and std are over the finite values (NaN and +-Inf are only
 * counted); std is the population standard deviation (numpy's default,
 * ddof=0).  Accumulated in double with per-block two-pass sums merged by
 * Chan's formula, so the result is stable for large means and long inputs.
 */
struct vt_stats {
	uint64_t count;      /* all elements */
	uint64_t finite;     /* finite elements: what min..std are over */
	uint64_t nan, inf, zeros;
	double min, max, mean, m2;   /* m2: sum of squared deviations */
};

void vt_stats_init(struct vt_stats *s);
/* Add n elements of dtype dt (any alignment). */
void vt_stats_add(struct vt_stats *s, enum vt_dtype dt, const void *data,
		  size_t n);
/* Merge b into a. */
void vt_stats_merge(struct vt_stats *a, const struct vt_stats *b);
/* Population standard deviation (0 when no finite values). */
double vt_stats_std(const struct vt_stats *s);

/* Statistics of a whole buffer using up to `threads` threads (0: choose). */
void vt_stats_compute(struct vt_stats *s, enum vt_dtype dt, const void *data,
		      size_t n, int threads);

#endif
