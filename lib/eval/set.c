/* set.c - the evaluation data set shared by every protocol and reader. */
#include <stdlib.h>
#include <string.h>

#include "vt/eval.h"
#include "vt/size.h"

void vt_eval_set_init(struct vt_eval_set *s)
{
	memset(s, 0, sizeof *s);
}

void vt_eval_set_release(struct vt_eval_set *s)
{
	if (!s)
		return;
	if (s->img_name)
		for (size_t i = 0; i < s->n_img; i++)
			free(s->img_name[i]);
	if (s->cat_name)
		for (size_t i = 0; i < s->n_cat; i++)
			free(s->cat_name[i]);
	free(s->img_name);
	free(s->cat_name);
	free(s->img_id);
	free(s->cat_id);
	free(s->gt);
	free(s->dt);
	memset(s, 0, sizeof *s);
}

static int grow(void **p, size_t *cap, size_t n, size_t size,
		struct vt_err *err)
{
	size_t c;
	void *q;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 256;
	q = vt_realloc_array(*p, c, size);
	if (!q)
		return vt_err_set(err, VT_ENOMEM, "out of memory for %zu boxes",
				  c);
	*p = q;
	*cap = c;
	return 0;
}

int vt_eval_set_add_gt(struct vt_eval_set *s, const struct vt_eval_gt *g,
		       struct vt_err *err)
{
	int rc = grow((void **)&s->gt, &s->cap_gt, s->n_gt, sizeof *g, err);

	if (!rc)
		s->gt[s->n_gt++] = *g;
	return rc;
}

int vt_eval_set_add_dt(struct vt_eval_set *s, const struct vt_eval_dt *d,
		       struct vt_err *err)
{
	int rc = grow((void **)&s->dt, &s->cap_dt, s->n_dt, sizeof *d, err);

	if (!rc)
		s->dt[s->n_dt++] = *d;
	return rc;
}

static long search(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id ? (long)lo : -1;
}

long vt_eval_set_cat_index(const struct vt_eval_set *s, int64_t id)
{
	return search(s->cat_id, s->n_cat, id);
}

long vt_eval_set_img_index(const struct vt_eval_set *s, int64_t id)
{
	return search(s->img_id, s->n_img, id);
}

void vt_linspace(double *x, size_t n, double start, double stop)
{
	double step;

	if (n == 0)
		return;
	if (n == 1) {
		x[0] = start;
		return;
	}
	step = (stop - start) / (double)(n - 1);
	for (size_t i = 0; i < n; i++)
		x[i] = (double)i * step + start;
	x[n - 1] = stop;
}

/* numpy's DOUBLE_pairwise_sum: 8 accumulators in blocks of at most 128,
 * halves (multiples of 8) above that. */
double vt_pairwise_sum(const double *a, size_t n)
{
	if (n < 8) {
		double res = 0.;

		for (size_t i = 0; i < n; i++)
			res += a[i];
		return res;
	}
	if (n <= 128) {
		double r[8], res;
		size_t i;

		for (int j = 0; j < 8; j++)
			r[j] = a[j];
		for (i = 8; i < n - (n % 8); i += 8)
			for (int j = 0; j < 8; j++)
				r[j] += a[i + j];
		res = ((r[0] + r[1]) + (r[2] + r[3])) +
		      ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += a[i];
		return res;
	}
	size_t n2 = n / 2;

	n2 -= n2 % 8;
	return vt_pairwise_sum(a, n2) + vt_pairwise_sum(a + n2, n - n2);
}

/* np.sum of a contiguous float64 array: the reduction runs over buffers
 * of 8192 elements, each summed pairwise, added in order. */
double vt_numpy_sum(const double *a, size_t n)
{
	double s = 0.;

	for (size_t i = 0; i < n; i += 8192)
		s += vt_pairwise_sum(a + i, n - i < 8192 ? n - i : 8192);
	return s;
}
