/* nnfix.c - the GAN fixtures: loading and comparing (nnfix.h). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "nnfix.h"

const char *t_nnfix_dir(void)
{
	static const char *const dirs[] = {
		"../../shared/fixtures/gan", "../shared/fixtures/gan",
	};
	const char *e = getenv("VT_GAN_FIXTURES");
	static char buf[1024];

	if (e && *e) {
		snprintf(buf, sizeof buf, "%s/ops_f64.safetensors", e);
		return access(buf, R_OK) == 0 ? e : NULL;
	}
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(buf, sizeof buf, "%s/ops_f64.safetensors", dirs[i]);
		if (access(buf, R_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

const char *t_nnfix_path(const char *file)
{
	static char p[1024];
	const char *d = t_nnfix_dir();

	/* small fixtures are copied into test/data/nn */
	snprintf(p, sizeof p, "%s", t_data_path("nn", file));
	if (access(p, R_OK) == 0)
		return p;
	if (!d)
		return NULL;
	snprintf(p, sizeof p, "%s/%s", d, file);
	return access(p, R_OK) == 0 ? p : NULL;
}

void t_nnfix_load(struct vt_record *rec, const char *file)
{
	char p[1024];
	struct vt_err err = { 0 };
	const char *path = t_nnfix_path(file);

	cr_assert_not_null(path, "%s not found", file);
	snprintf(p, sizeof p, "%s", path);
	vt_record_init(rec);
	cr_assert_eq(vt_record_load(p, rec, NULL, &err), 0, "%s", err.msg);
}

const struct vt_tensor *t_nnfix_opt(const struct vt_record *rec,
				    const char *name)
{
	return vt_record_find(rec, name);
}

const struct vt_tensor *t_nnfix_get(const struct vt_record *rec,
				    const char *name)
{
	const struct vt_tensor *t = vt_record_find(rec, name);

	cr_assert_not_null(t, "fixture tensor '%s' missing", name);
	return t;
}

static void shape_of(const struct vt_tensor *t, int *rank, int64_t *shape)
{
	*rank = t->rank;
	for (int i = 0; i < t->rank; i++)
		shape[i] = (int64_t)t->shape[i];
}

struct vt_nn_val *t_nnfix_val(struct vt_nn_graph *g, const struct vt_tensor *t,
			      enum vt_dtype as, bool input)
{
	int64_t shape[VT_NN_MAX_RANK];
	int rank;
	struct vt_nn_val *v;

	shape_of(t, &rank, shape);
	if (t->dtype == VT_I64)
		return vt_nn_from(g, VT_I64, rank, shape, t->data);
	v = input ? vt_nn_input(g, as, rank, shape, NULL)
		  : vt_nn_new(g, as, rank, shape);
	cr_assert_not_null(v);
	for (size_t i = 0; i < v->numel; i++)
		vt_dtype_store(as, v->data, i,
			       vt_dtype_load(t->dtype, t->data, i));
	return v;
}

struct vt_nn_val *t_nnfix_param(const struct vt_tensor *t, enum vt_dtype as,
				const char *name)
{
	int64_t shape[VT_NN_MAX_RANK];
	int rank;
	struct vt_nn_val *p;

	shape_of(t, &rank, shape);
	p = vt_nn_param_new(as, rank, shape, name);
	cr_assert_not_null(p);
	for (size_t i = 0; i < p->numel; i++)
		vt_dtype_store(as, p->data, i,
			       vt_dtype_load(t->dtype, t->data, i));
	return p;
}

double t_nnfix_at(const struct vt_nn_val *x, size_t i)
{
	return vt_dtype_load(x->dtype, x->data, i);
}

static uint32_t fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

double t_nnfix_sign(uint64_t i, int j)
{
	return fmix32((uint32_t)(2 * i + (uint64_t)j)) >> 31 ? -1.0 : 1.0;
}

/* compensated (Neumaier) sum: close to math.fsum for these checks */
struct ksum {
	double s, c;
};

static void kadd(struct ksum *k, double x)
{
	double t = k->s + x;

	if (fabs(k->s) >= fabs(x))
		k->c += (k->s - t) + x;
	else
		k->c += (x - t) + k->s;
	k->s = t;
}

double t_nnfix_cmp(const struct vt_record *rec, const char *name,
		   enum vt_dtype dt, const void *got, size_t n, size_t rowlen,
		   double tol, double floor, double stol)
{
	const struct vt_tensor *whole = vt_record_find(rec, name);
	char nm[512];
	double maxref = 0, maxd = 0, worst;

	if (whole) {
		cr_assert_eq(vt_tensor_numel(whole), n, "%s: %zu elements, "
			     "reference has %llu", name, n,
			     (unsigned long long)vt_tensor_numel(whole));
		for (size_t i = 0; i < n; i++) {
			double r = vt_dtype_load(whole->dtype, whole->data, i);

			maxref = fmax(maxref, fabs(r));
		}
		for (size_t i = 0; i < n; i++) {
			double r = vt_dtype_load(whole->dtype, whole->data, i);
			double d = fabs(vt_dtype_load(dt, got, i) - r);

			maxd = fmax(maxd, isnan(d) ? INFINITY : d);
		}
	} else {
		const struct vt_tensor *rows, *idx, *st;
		struct ksum k[4] = { { 0, 0 } };
		double s[4], want[4];

		snprintf(nm, sizeof nm, "%s@rows", name);
		rows = t_nnfix_get(rec, nm);
		snprintf(nm, sizeof nm, "%s@index", name);
		idx = t_nnfix_get(rec, nm);
		snprintf(nm, sizeof nm, "%s@stats", name);
		st = t_nnfix_get(rec, nm);
		cr_assert_eq(vt_tensor_numel(rows),
			     vt_tensor_numel(idx) * rowlen, "%s: row length",
			     name);
		for (size_t i = 0; i < vt_tensor_numel(rows); i++)
			maxref = fmax(maxref, fabs(vt_dtype_load(
				rows->dtype, rows->data, i)));
		for (size_t r = 0; r < vt_tensor_numel(idx); r++) {
			size_t row = (size_t)((const int64_t *)idx->data)[r];

			cr_assert_lt(row * rowlen, n, "%s: row %zu", name, row);
			for (size_t c = 0; c < rowlen; c++) {
				double ref = vt_dtype_load(rows->dtype,
							   rows->data,
							   r * rowlen + c);
				double d = fabs(vt_dtype_load(
					dt, got, row * rowlen + c) - ref);

				maxd = fmax(maxd, isnan(d) ? INFINITY : d);
			}
		}
		for (size_t i = 0; i < n; i++) {
			double x = vt_dtype_load(dt, got, i);

			kadd(&k[0], fabs(x));
			kadd(&k[1], x * x);
			kadd(&k[2], t_nnfix_sign(i, 0) * x);
			kadd(&k[3], t_nnfix_sign(i, 1) * x);
		}
		for (int j = 0; j < 4; j++) {
			s[j] = k[j].s + k[j].c;
			want[j] = ((const double *)st->data)[j];
		}
		s[1] = sqrt(s[1]);
		cr_assert(fabs(s[0] - want[0]) <= stol * want[0],
			  "%s@stats[0]: %.10g, reference %.10g", name, s[0],
			  want[0]);
		for (int j = 1; j < 4; j++)
			cr_assert(fabs(s[j] - want[j]) <= stol * want[1],
				  "%s@stats[%d]: %.10g, reference %.10g "
				  "(scale %.4g)", name, j, s[j], want[j],
				  want[1]);
	}
	worst = maxd / fmax(maxref, floor);
	if (getenv("VT_NNFIX_LOG"))   /* the measured table of the docs */
		fprintf(stderr, "nnfix %s %.3g\n", name, worst);
	cr_assert(maxd <= tol * fmax(maxref, floor) || (maxd == 0),
		  "%s: max |diff| %.4g against max |ref| %.4g (floor %.4g): "
		  "ratio %.3g above %.3g", name, maxd, maxref, floor, worst,
		  tol);
	return worst;
}

double t_nnfix_cmp_val(const struct vt_record *rec, const char *name,
		       const struct vt_nn_val *x, double tol, double floor)
{
	cr_assert_not_null(x, "%s: no value", name);
	return t_nnfix_cmp(rec, name, x->dtype, x->data, x->numel,
			   x->rank ? x->numel / (size_t)(x->shape[0] ? x->shape[0]
								   : 1)
				   : 1,
			   tol, floor, tol);
}

double t_nnfix_scalar(const struct vt_record *rec, const char *name)
{
	const struct vt_tensor *t = t_nnfix_get(rec, name);

	return vt_dtype_load(t->dtype, t->data, 0);
}

bool t_nnfix_noise(const struct vt_record *rec, const char *name, size_t i)
{
	char nm[512];
	const struct vt_tensor *t;

	snprintf(nm, sizeof nm, "%s@noise", name);
	t = vt_record_find(rec, nm);
	for (size_t k = 0; t && k < vt_tensor_numel(t); k++)
		if ((size_t)((const int64_t *)t->data)[k] == i)
			return true;
	return false;
}

void t_nnfix_ops_f64_open(struct vt_record *rec, struct vt_nn_graph **g)
{
	struct vt_err err = { 0 };

	if (!t_nnfix_path("ops_f64.safetensors"))
		cr_skip_test("ops_f64.safetensors in neither test/data/nn nor "
			     "../shared/fixtures/gan (set VT_GAN_FIXTURES)");
	t_nnfix_load(rec, "ops_f64.safetensors");
	cr_assert_eq(vt_nn_graph_new(g, &err), 0);
}

void t_nnfix_ops_f64_close(struct vt_record *rec, struct vt_nn_graph **g)
{
	vt_record_release(rec);
	vt_nn_graph_free(*g);
	*g = NULL;
}

const char *t_nnfix_name(const char *op, const char *a, const char *b)
{
	static char buf[4][256];
	static int k;
	char *p = buf[k++ % 4];

	snprintf(p, sizeof buf[0], "%s.%s%s%s", op, a, b ? "." : "",
		 b ? b : "");
	return p;
}
