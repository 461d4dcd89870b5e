/* stats.c - streaming min/max/mean/std with NaN, Inf and zero counts. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt/stats.h"

#define BLOCK 2048

void vt_stats_init(struct vt_stats *s)
{
	memset(s, 0, sizeof *s);
	s->min = INFINITY;
	s->max = -INFINITY;
}

void vt_stats_merge(struct vt_stats *a, const struct vt_stats *b)
{
	uint64_t n = a->finite + b->finite;

	a->count += b->count;
	a->nan += b->nan;
	a->inf += b->inf;
	a->zeros += b->zeros;
	if (b->finite) {
		if (a->finite == 0) {
			a->mean = b->mean;
			a->m2 = b->m2;
		} else {
			double d = b->mean - a->mean;
			double na = (double)a->finite, nb = (double)b->finite;
			a->mean += d * nb / (double)n;
			a->m2 += b->m2 + d * d * na * nb / (double)n;
		}
		if (b->min < a->min)
			a->min = b->min;
		if (b->max > a->max)
			a->max = b->max;
	}
	a->finite = n;
}

double vt_stats_std(const struct vt_stats *s)
{
	return s->finite ? sqrt(s->m2 / (double)s->finite) : 0;
}

/* One block of float32 values, all finite: the fast path. */
static void block_f32(struct vt_stats *b, const float *x, size_t n)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0, mean, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
	float mn = x[0], mx = x[0];
	uint64_t z = 0;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		s0 += x[i];
		s1 += x[i + 1];
		s2 += x[i + 2];
		s3 += x[i + 3];
	}
	for (; i < n; i++)
		s0 += x[i];
	mean = ((s0 + s1) + (s2 + s3)) / (double)n;
	for (i = 0; i + 4 <= n; i += 4) {
		double d0 = x[i] - mean, d1 = x[i + 1] - mean;
		double d2 = x[i + 2] - mean, d3 = x[i + 3] - mean;
		q0 += d0 * d0;
		q1 += d1 * d1;
		q2 += d2 * d2;
		q3 += d3 * d3;
	}
	for (; i < n; i++) {
		double d = x[i] - mean;
		q0 += d * d;
	}
	for (i = 0; i < n; i++) {
		float v = x[i];
		mn = v < mn ? v : mn;
		mx = v > mx ? v : mx;
		z += v == 0;
	}
	b->count = b->finite = n;
	b->nan = b->inf = 0;
	b->zeros = z;
	b->mean = mean;
	b->m2 = (q0 + q1) + (q2 + q3);
	b->min = mn;
	b->max = mx;
}

/* The general path: any dtype, non-finite values counted and skipped. */
static void block_any(struct vt_stats *b, enum vt_dtype dt, const void *data,
		      size_t off, size_t n)
{
	double sum = 0, mean, q = 0;
	uint64_t k = 0;

	vt_stats_init(b);
	b->count = n;
	for (size_t i = 0; i < n; i++) {
		double v = vt_dtype_load(dt, data, off + i);
		if (isnan(v)) {
			b->nan++;
			continue;
		}
		if (isinf(v)) {
			b->inf++;
			continue;
		}
		b->zeros += v == 0;
		sum += v;
		k++;
		if (v < b->min)
			b->min = v;
		if (v > b->max)
			b->max = v;
	}
	if (!k)
		return;
	mean = sum / (double)k;
	for (size_t i = 0; i < n; i++) {
		double v = vt_dtype_load(dt, data, off + i);
		if (isfinite(v))
			q += (v - mean) * (v - mean);
	}
	b->finite = k;
	b->mean = mean;
	b->m2 = q;
}

static bool all_finite_f32(const float *x, size_t n)
{
	/* x*0 is 0 for finite x and NaN for NaN and Inf */
	float acc = 0;

	for (size_t i = 0; i < n; i++)
		acc += x[i] * 0.0f;
	return acc == 0;
}

void vt_stats_add(struct vt_stats *s, enum vt_dtype dt, const void *data,
		  size_t n)
{
	struct vt_stats b;
	bool aligned_f32 = dt == VT_F32 && ((uintptr_t)data % 4) == 0;

	for (size_t off = 0; off < n; off += BLOCK) {
		size_t m = n - off < BLOCK ? n - off : BLOCK;
		if (aligned_f32 && all_finite_f32((const float *)data + off, m))
			block_f32(&b, (const float *)data + off, m);
		else
			block_any(&b, dt, data, off, m);
		vt_stats_merge(s, &b);
	}
}

struct job {
	struct vt_stats *parts;
	enum vt_dtype dt;
	const char *data;
	size_t n, chunk, first, last;   /* chunks [first, last) */
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	size_t esz = vt_dtype_size(j->dt);

	for (size_t c = j->first; c < j->last; c++) {
		size_t off = c * j->chunk;
		size_t m = j->n - off < j->chunk ? j->n - off : j->chunk;
		vt_stats_init(&j->parts[c]);
		vt_stats_add(&j->parts[c], j->dt, j->data + off * esz, m);
	}
	return NULL;
}

void vt_stats_compute(struct vt_stats *s, enum vt_dtype dt, const void *data,
		      size_t n, int threads)
{
	enum { MAXT = 16, MAXCHUNKS = 1 << 16 };
	struct job jobs[MAXT];
	pthread_t tid[MAXT];
	bool started[MAXT] = { false };
	struct vt_stats *parts;
	size_t chunk = (size_t)1 << 20, nchunks;

	/* The chunking depends on n alone and the chunks merge in order, so
	 * the result is the same bits for any number of threads. */
	vt_stats_init(s);
	if (n / chunk >= MAXCHUNKS)
		chunk = (n / MAXCHUNKS + BLOCK) / BLOCK * BLOCK;
	nchunks = (n + chunk - 1) / chunk;
	if (threads <= 0) {
		long nc = sysconf(_SC_NPROCESSORS_ONLN);
		threads = nc > 0 ? (int)nc : 1;
	}
	if (threads > MAXT)
		threads = MAXT;
	if ((size_t)threads > nchunks)
		threads = nchunks ? (int)nchunks : 1;
	parts = nchunks > 1 ? calloc(nchunks, sizeof *parts) : NULL;
	if (!parts) { /* one chunk, or no memory: one thread, same order */
		for (size_t off = 0; off < n; off += chunk) {
			struct vt_stats p;
			vt_stats_init(&p);
			vt_stats_add(&p, dt, (const char *)data +
				     off * vt_dtype_size(dt),
				     n - off < chunk ? n - off : chunk);
			vt_stats_merge(s, &p);
		}
		return;
	}
	for (int t = 0; t < threads; t++) {
		jobs[t] = (struct job){ parts, dt, data, n, chunk,
					nchunks * (size_t)t / (size_t)threads,
					nchunks * (size_t)(t + 1) / (size_t)threads };
		if (t > 0 && pthread_create(&tid[t], NULL, run_job, &jobs[t]) == 0)
			started[t] = true;
	}
	run_job(&jobs[0]);
	for (int t = 1; t < threads; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			run_job(&jobs[t]);
	}
	for (size_t c = 0; c < nchunks; c++)
		vt_stats_merge(s, &parts[c]);
	free(parts);
}
