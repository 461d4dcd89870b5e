/* iou.c - IoU, GIoU, DIoU and CIoU of box pairs, matrices and pairs.
 *
 * Each box is first "prepared" in double (corners, area, centre, aspect
 * angle); the value of a pair is then a short branch-free expression of two
 * prepared boxes (pair_value).  The matrix kernel prepares a block of B as
 * structure-of-arrays once and runs every row of A over it in a loop of
 * fixed length that GCC vectorises at -O2; large matrices split their rows
 * over a few threads.  All paths use pair_value, so a single pair, a
 * pairwise row and a matrix entry are the same bits.
 */
/* Floating-point exceptions are never inspected, so let GCC treat them as
 * not trapping: without this it will not turn the selects of the kernel
 * into vector blends.  No value changes (unlike -ffast-math). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "vt/box.h"
#include "vt/size.h"

#define CIOU_K 0.40528473456935108578    /* 4 / pi^2 */
#define DIOU_EPS 1e-7                     /* torchvision's eps */

/* One box, prepared.  pix is 1 under the legacy "+1 pixel" rule, else 0;
 * the aspect angle (an atan) only when CIoU needs it. */
struct prep {
	double x1, y1, x2, y2;
	double area;
	double cx, cy;
	double at;      /* atan(w/h), 0 for a box without width and height */
	double has_at;  /* 1, or 0 for a box without width and height */
};

static inline void prep_box(struct prep *p, const float *b, double pix,
			    enum vt_box_metric metric)
{
	double w = ((double)b[2] - b[0]) + pix;
	double h = ((double)b[3] - b[1]) + pix;

	p->x1 = b[0];
	p->y1 = b[1];
	p->x2 = b[2];
	p->y2 = b[3];
	p->area = w * h;
	p->cx = ((double)b[0] + b[2]) / 2;
	p->cy = ((double)b[1] + b[3]) / 2;
	p->has_at = (w > 0 || h > 0) ? 1.0 : 0.0;
	if (metric != VT_BOX_CIOU)
		p->at = 0.0;
	else if (h > 0)
		p->at = atan(w / h);
	else
		p->at = w > 0 ? atan(INFINITY) : 0.0;
}

static inline double dmin(double a, double b) { return a < b ? a : b; }
static inline double dmax(double a, double b) { return a > b ? a : b; }

/*
 * The metric of prepared boxes a and b; metric is a constant at every call
 * so that each loop is specialised.  Written without branches (selects
 * only) so that the loops vectorise.
 */
static inline __attribute__((always_inline)) double
pair_value(double ax1, double ay1, double ax2, double ay2, double aarea,
	   double acx, double acy, double aat, double ahas,
	   double bx1, double by1, double bx2, double by2, double barea,
	   double bcx, double bcy, double bat, double bhas,
	   enum vt_box_metric metric, double pix)
{
	double iw = dmax(dmin(ax2, bx2) - dmax(ax1, bx1) + pix, 0.0);
	double ih = dmax(dmin(ay2, by2) - dmax(ay1, by1) + pix, 0.0);
	double inter = iw * ih;
	double uni = aarea + barea - inter;
	/* uni == 0 only for two boxes of zero area; then inter == 0 too. */
	double iou = inter / (uni > 0 ? uni : 1.0);
	double cw, ch, r;

	if (metric == VT_BOX_IOU)
		return iou;
	cw = dmax(ax2, bx2) - dmin(ax1, bx1) + pix;
	ch = dmax(ay2, by2) - dmin(ay1, by1) + pix;
	if (metric == VT_BOX_GIOU) {
		double carea = cw * ch;

		r = iou - (carea - uni) / (carea > 0 ? carea : 1.0);
	} else {
		double dx = acx - bcx, dy = acy - bcy;

		r = iou - (dx * dx + dy * dy) / (cw * cw + ch * ch + DIOU_EPS);
		if (metric == VT_BOX_CIOU) {
			double t = aat - bat;
			double v = CIOU_K * (t * t) * (ahas * bhas);
			double alpha = v / (1.0 - iou + v + DIOU_EPS);

			r = r - alpha * v;
		}
	}
	return uni > 0 ? r : 0.0;
}

static inline __attribute__((always_inline)) double
prep_pair(const struct prep *a, const struct prep *b,
	  enum vt_box_metric metric, double pix)
{
	return pair_value(a->x1, a->y1, a->x2, a->y2, a->area, a->cx, a->cy,
			  a->at, a->has_at, b->x1, b->y1, b->x2, b->y2,
			  b->area, b->cx, b->cy, b->at, b->has_at, metric,
			  pix);
}

static int bad_args(enum vt_box_metric metric, unsigned flags)
{
	return (unsigned)metric >= VT_BOX_METRIC_COUNT ||
	       (flags & ~VT_BOX_FLAGS_ALL);
}

static double pix_of(unsigned flags)
{
	return (flags & VT_BOX_LEGACY_PIXEL) ? 1.0 : 0.0;
}

double vt_box_pair(const float a[4], const float b[4],
		   enum vt_box_metric metric, unsigned flags)
{
	struct prep pa, pb;
	double pix = pix_of(flags);

	if (bad_args(metric, flags))
		return NAN;
	prep_box(&pa, a, pix, metric);
	prep_box(&pb, b, pix, metric);
	switch (metric) {
	case VT_BOX_IOU:
		return prep_pair(&pa, &pb, VT_BOX_IOU, pix);
	case VT_BOX_GIOU:
		return prep_pair(&pa, &pb, VT_BOX_GIOU, pix);
	case VT_BOX_DIOU:
		return prep_pair(&pa, &pb, VT_BOX_DIOU, pix);
	default:
		return prep_pair(&pa, &pb, VT_BOX_CIOU, pix);
	}
}

double vt_box_iou(const float a[4], const float b[4], unsigned flags)
{
	return vt_box_pair(a, b, VT_BOX_IOU, flags);
}

int vt_box_iou_pairwise(float *out, const float *a, const float *b, size_t n,
			enum vt_box_metric metric, unsigned flags)
{
	if (bad_args(metric, flags))
		return VT_EINVAL;
	for (size_t i = 0; i < n; i++)
		out[i] = (float)vt_box_pair(a + 4 * i, b + 4 * i, metric, flags);
	return 0;
}

/* The matrix kernel: a block of B as structure of arrays. */
#define BLOCK 256

struct soa {
	double x1[BLOCK], y1[BLOCK], x2[BLOCK], y2[BLOCK], area[BLOCK];
	double cx[BLOCK], cy[BLOCK], at[BLOCK], has_at[BLOCK];
};

static void soa_fill(struct soa *s, const float *b, size_t len, double pix,
		     enum vt_box_metric metric)
{
	static const float zero[4];
	struct prep p;

	/* The tail past len holds zero boxes, computed and discarded, so that
	 * every loop runs exactly BLOCK times. */
	for (size_t j = 0; j < BLOCK; j++) {
		prep_box(&p, j < len ? b + 4 * j : zero, pix, metric);
		s->x1[j] = p.x1;
		s->y1[j] = p.y1;
		s->x2[j] = p.x2;
		s->y2[j] = p.y2;
		s->area[j] = p.area;
		s->cx[j] = p.cx;
		s->cy[j] = p.cy;
		s->at[j] = p.at;
		s->has_at[j] = p.has_at;
	}
}

static inline __attribute__((always_inline)) void
row_block(float *restrict out, const struct prep *a,
	  const struct soa *restrict s, enum vt_box_metric metric, double pix)
{
	for (size_t j = 0; j < BLOCK; j++)
		out[j] = (float)pair_value(
			a->x1, a->y1, a->x2, a->y2, a->area, a->cx, a->cy,
			a->at, a->has_at, s->x1[j], s->y1[j], s->x2[j],
			s->y2[j], s->area[j], s->cx[j], s->cy[j], s->at[j],
			s->has_at[j], metric, pix);
}

struct job {
	float *out;          /* row 0 of this job */
	const float *a, *b;  /* a: row 0 of this job */
	size_t rows, m;
	enum vt_box_metric metric;
	double pix;
};

static void run_job(const struct job *jb)
{
	struct soa s;
	struct prep pa;
	float tmp[BLOCK];

	for (size_t j0 = 0; j0 < jb->m; j0 += BLOCK) {
		size_t len = jb->m - j0 < BLOCK ? jb->m - j0 : BLOCK;

		soa_fill(&s, jb->b + 4 * j0, len, jb->pix, jb->metric);
		for (size_t i = 0; i < jb->rows; i++) {
			prep_box(&pa, jb->a + 4 * i, jb->pix, jb->metric);
			switch (jb->metric) {
			case VT_BOX_IOU:
				row_block(tmp, &pa, &s, VT_BOX_IOU, jb->pix);
				break;
			case VT_BOX_GIOU:
				row_block(tmp, &pa, &s, VT_BOX_GIOU, jb->pix);
				break;
			case VT_BOX_DIOU:
				row_block(tmp, &pa, &s, VT_BOX_DIOU, jb->pix);
				break;
			default:
				row_block(tmp, &pa, &s, VT_BOX_CIOU, jb->pix);
				break;
			}
			memcpy(jb->out + i * jb->m + j0, tmp, len * sizeof *tmp);
		}
	}
}

static void *job_thread(void *arg)
{
	run_job(arg);
	return NULL;
}

#define MAX_THREADS 8
#define MIN_PAIRS_PER_THREAD (1u << 18)

static size_t thread_count(size_t n, size_t m)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t t = cpus > 1 ? (size_t)cpus : 1;
	size_t pairs;

	if (t > MAX_THREADS)
		t = MAX_THREADS;
	if (vt_mul_overflow_size(n, m, &pairs))
		pairs = SIZE_MAX;
	if (t > pairs / MIN_PAIRS_PER_THREAD)
		t = pairs / MIN_PAIRS_PER_THREAD;
	if (t > n)
		t = n;
	return t ? t : 1;
}

int vt_box_iou_matrix(float *out, const float *a, size_t n, const float *b,
		      size_t m, enum vt_box_metric metric, unsigned flags)
{
	struct job jobs[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	bool started[MAX_THREADS] = {false};
	size_t nt, row = 0, total;

	if (bad_args(metric, flags) || vt_mul_overflow_size(n, m, &total))
		return VT_EINVAL;
	if (total == 0)
		return 0;
	nt = thread_count(n, m);
	for (size_t t = 0; t < nt; t++) {
		size_t rows = n / nt + (t < n % nt);

		jobs[t] = (struct job){ out + row * m, a + 4 * row, b, rows, m,
					metric, pix_of(flags) };
		row += rows;
	}
	/* Job 0 runs here; a thread that cannot start runs here too. */
	for (size_t t = 1; t < nt; t++)
		started[t] = pthread_create(&tids[t], NULL, job_thread,
					    &jobs[t]) == 0;
	run_job(&jobs[0]);
	for (size_t t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(tids[t], NULL);
		else
			run_job(&jobs[t]);
	}
	return 0;
}
