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

/* GCC/clang vector extensions: SIMD on any target, same bits as scalar code
 * (each lane is its own accumulator; nothing is reassociated). */
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));
typedef double v4d __attribute__((vector_size(32)));

static v4f load4(const float *p)
{
	v4f v;

	memcpy(&v, p, sizeof v);
	return v;
}

static v4f vmin(v4f a, v4f b)
{
	v4i m = (v4i)(a < b);
	return (v4f)(((v4i)a & m) | ((v4i)b & ~m));
}

static v4f vmax(v4f a, v4f b)
{
	v4i m = (v4i)(a > b);
	return (v4f)(((v4i)a & m) | ((v4i)b & ~m));
}

/* One block of float32 values: returns false, having changed nothing, when
 * the block holds a NaN or an Inf (a finite sum of at most BLOCK finite
 * floats cannot overflow a double, so a non-finite sum tells). */
static bool block_f32(struct vt_stats *b, const float *x, size_t n)
{
	v4d s0 = { 0 }, s1 = { 0 }, q0 = { 0 }, q1 = { 0 }, mv;
	v4f mn, mx, zero = { 0 };
	v4i z = { 0 };
	double sum = 0, m2 = 0, mean, lo, hi;
	size_t i = 0, n8 = n / 8 * 8;
	uint64_t zeros = 0;

	mn = mx = (v4f){ x[0], x[0], x[0], x[0] };
	for (; i < n8; i += 8) {
		v4f a = load4(x + i), c = load4(x + i + 4);
		s0 += __builtin_convertvector(a, v4d);
		s1 += __builtin_convertvector(c, v4d);
		mn = vmin(vmin(a, c), mn);
		mx = vmax(vmax(a, c), mx);
		z -= (v4i)(a == zero);
		z -= (v4i)(c == zero);
	}
	lo = mn[0], hi = mx[0];
	for (int k = 0; k < 4; k++) {
		sum += s0[k] + s1[k];
		lo = mn[k] < lo ? mn[k] : lo;
		hi = mx[k] > hi ? mx[k] : hi;
		zeros += (uint64_t)z[k];
	}
	for (; i < n; i++) {
		sum += x[i];
		lo = x[i] < lo ? x[i] : lo;
		hi = x[i] > hi ? x[i] : hi;
		zeros += x[i] == 0;
	}
	if (!isfinite(sum))
		return false;
	mean = sum / (double)n;
	mv = (v4d){ mean, mean, mean, mean };
	for (i = 0; i < n8; i += 8) {
		v4d d0 = __builtin_convertvector(load4(x + i), v4d) - mv;
		v4d d1 = __builtin_convertvector(load4(x + i + 4), v4d) - mv;
		q0 += d0 * d0;
		q1 += d1 * d1;
	}
	for (int k = 0; k < 4; k++)
		m2 += q0[k] + q1[k];
	for (; i < n; i++)
		m2 += (x[i] - mean) * (x[i] - mean);
	b->count = b->finite = n;
	b->nan = b->inf = 0;
	b->zeros = zeros;
	b->mean = mean;
	b->m2 = m2;
	b->min = lo;
	b->max = hi;
	return true;
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

void vt_stats_add(struct vt_stats *s, enum vt_dtype dt, const void *data,
		  size_t n)
{
	struct vt_stats b;
	bool aligned_f32 = dt == VT_F32 && ((uintptr_t)data % 4) == 0;

	for (size_t off = 0; off < n; off += BLOCK) {
		size_t m = n - off < BLOCK ? n - off : BLOCK;
		if (!aligned_f32 || !block_f32(&b, (const float *)data + off, m))
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
