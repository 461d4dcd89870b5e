/* gradcheck.c - the finite-difference harness for lib/nn ops (gradcheck.h). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gradcheck.h"
#include "vt/rng.h"

#define H1 1e-6   /* step for first derivatives */
#define H2 1e-5   /* step for differentiating analytic first derivatives */
#define TOL1 2e-6
#define TOL2 2e-5

struct gc_state {
	const struct t_gc *c;
	struct vt_nn_graph *g;
	size_t n[T_GC_MAX_IN];
	double *x[T_GC_MAX_IN];     /* float inputs */
	int64_t *ix[T_GC_MAX_IN];   /* index inputs */
	double *u;                  /* upstream gradient, shape of out */
	double *v[T_GC_MAX_IN];     /* directions for second order */
	int out_rank;
	int64_t out_shape[VT_NN_MAX_RANK];
	size_t out_n;
};

static bool diff(const struct t_gc *c, int i)
{
	return c->kind[i] != T_GC_CONST && c->kind[i] != T_GC_INDEX;
}

static double draw(struct vt_rng *r, enum t_gc_kind k)
{
	double a;

	switch (k) {
	case T_GC_AWAY:
		a = 0.2 + 1.8 * vt_rng_uniform(r);
		return vt_rng_uniform(r) < 0.5 ? -a : a;
	case T_GC_POS:
		return 0.5 + 1.5 * vt_rng_uniform(r);
	case T_GC_UNIT:
		return 0.05 + 0.9 * vt_rng_uniform(r);
	default:
		return vt_rng_normal(r);
	}
}

/* inputs as values: float inputs that are differentiated take gradients */
static void make_inputs(struct gc_state *s, struct vt_nn_val **in)
{
	const struct t_gc *c = s->c;

	for (int i = 0; i < c->nin; i++) {
		if (c->kind[i] == T_GC_INDEX)
			in[i] = vt_nn_from(s->g, VT_I64, c->rank[i],
					   c->shape[i], s->ix[i]);
		else if (diff(c, i))
			in[i] = vt_nn_input(s->g, VT_F64, c->rank[i],
					    c->shape[i], s->x[i]);
		else
			in[i] = vt_nn_from(s->g, VT_F64, c->rank[i],
					   c->shape[i], s->x[i]);
	}
}

static struct vt_nn_val *forward(struct gc_state *s, struct vt_nn_val **in)
{
	struct vt_nn_val *out;
	struct vt_err err = { 0 };

	vt_nn_graph_reset(s->g);
	make_inputs(s, in);
	out = s->c->build(s->g, in, s->c);
	cr_assert_eq(vt_nn_graph_status(s->g, &err), 0, "%s: %s", s->c->name,
		     err.msg);
	cr_assert_not_null(out);
	cr_assert_eq(out->dtype, VT_F64, "%s: output dtype", s->c->name);
	return out;
}

/* <out, u> */
static double f_value(struct gc_state *s)
{
	struct vt_nn_val *in[T_GC_MAX_IN];
	struct vt_nn_val *out = forward(s, in);
	double t = 0;

	for (size_t k = 0; k < out->numel; k++)
		t += ((const double *)out->data)[k] * s->u[k];
	return t;
}

/* first-order gradients of <out,u> into gr[i] (differentiated inputs) */
static void first_grads(struct gc_state *s, double **gr)
{
	struct vt_nn_val *in[T_GC_MAX_IN], *ins[T_GC_MAX_IN], *gx[T_GC_MAX_IN];
	struct vt_nn_val *out = forward(s, in), *seed;
	struct vt_err err = { 0 };
	int m = 0;

	seed = vt_nn_from(s->g, VT_F64, out->rank, out->shape, s->u);
	for (int i = 0; i < s->c->nin; i++)
		if (diff(s->c, i))
			ins[m++] = in[i];
	vt_nn_grad(s->g, 1, &out, &seed, m, ins, gx, false);
	cr_assert_eq(vt_nn_graph_status(s->g, &err), 0, "%s: grad: %s",
		     s->c->name, err.msg);
	m = 0;
	for (int i = 0; i < s->c->nin; i++)
		if (diff(s->c, i)) {
			memcpy(gr[i], gx[m]->data, s->n[i] * sizeof(double));
			m++;
		}
}

/* s = sum_i <v_i, d<out,u>/dx_i>, from analytic first derivatives */
static double s_value(struct gc_state *st)
{
	double *gr[T_GC_MAX_IN] = { NULL }, t = 0;

	for (int i = 0; i < st->c->nin; i++)
		if (diff(st->c, i))
			gr[i] = calloc(st->n[i] ? st->n[i] : 1, sizeof(double));
	first_grads(st, gr);
	for (int i = 0; i < st->c->nin; i++) {
		for (size_t k = 0; diff(st->c, i) && k < st->n[i]; k++)
			t += st->v[i][k] * gr[i][k];
		free(gr[i]);
	}
	return t;
}

static void compare(const char *name, const char *what, int i,
		    const double *a, const double *num, size_t n, double tol)
{
	double scale = 0;

	for (size_t k = 0; k < n; k++)
		scale = fmax(scale, fabs(num[k]));
	for (size_t k = 0; k < n; k++)
		cr_assert(fabs(a[k] - num[k]) <= tol * (1 + scale),
			  "%s: %s of input %d, element %zu: analytic %.12g, "
			  "numeric %.12g", name, what, i, k, a[k], num[k]);
}

static void check_first(struct gc_state *s)
{
	const struct t_gc *c = s->c;
	double *gr[T_GC_MAX_IN] = { NULL };

	for (int i = 0; i < c->nin; i++)
		if (diff(c, i))
			gr[i] = calloc(s->n[i] ? s->n[i] : 1, sizeof(double));
	first_grads(s, gr);
	for (int i = 0; i < c->nin; i++) {
		double *num;

		if (!diff(c, i))
			continue;
		num = calloc(s->n[i] ? s->n[i] : 1, sizeof(double));
		for (size_t k = 0; k < s->n[i]; k++) {
			double x0 = s->x[i][k], fp, fm;

			s->x[i][k] = x0 + H1;
			fp = f_value(s);
			s->x[i][k] = x0 - H1;
			fm = f_value(s);
			s->x[i][k] = x0;
			num[k] = (fp - fm) / (2 * H1);
		}
		compare(c->name, "gradient", i, gr[i], num, s->n[i], TOL1);
		free(num);
		free(gr[i]);
	}
}

static void check_second(struct gc_state *s)
{
	const struct t_gc *c = s->c;
	struct vt_nn_val *in[T_GC_MAX_IN], *ins[T_GC_MAX_IN + 1];
	struct vt_nn_val *gx[T_GC_MAX_IN + 1], *hv[T_GC_MAX_IN + 1];
	struct vt_nn_val *out, *u, *sv = NULL;
	struct vt_err err = { 0 };
	double *ana[T_GC_MAX_IN + 1], *num;
	size_t nn[T_GC_MAX_IN + 1];
	double *vals[T_GC_MAX_IN + 1];
	int m = 0;

	/* analytic: differentiate s = sum <v, grad> built with create_graph */
	out = forward(s, in);
	u = vt_nn_input(s->g, VT_F64, out->rank, out->shape, s->u);
	for (int i = 0; i < c->nin; i++)
		if (diff(c, i))
			ins[m++] = in[i];
	vt_nn_grad(s->g, 1, &out, &u, m, ins, gx, true);
	m = 0;
	for (int i = 0; i < c->nin; i++) {
		struct vt_nn_val *vv, *term;

		if (!diff(c, i))
			continue;
		vv = vt_nn_from(s->g, VT_F64, c->rank[i], c->shape[i], s->v[i]);
		term = vt_nn_sum(s->g, vt_nn_mul(s->g, vv, gx[m]));
		sv = sv ? vt_nn_add(s->g, sv, term) : term;
		m++;
	}
	ins[m] = u;
	vt_nn_grad(s->g, 1, &sv, NULL, m + 1, ins, hv, false);
	cr_assert_eq(vt_nn_graph_status(s->g, &err), 0, "%s: double grad: %s",
		     c->name, err.msg);
	m = 0;
	for (int i = 0; i < c->nin; i++)
		if (diff(c, i)) {
			nn[m] = s->n[i];
			vals[m] = s->x[i];
			ana[m] = malloc((nn[m] ? nn[m] : 1) * sizeof(double));
			memcpy(ana[m], hv[m]->data, nn[m] * sizeof(double));
			m++;
		}
	nn[m] = s->out_n;
	vals[m] = s->u;
	ana[m] = malloc((nn[m] ? nn[m] : 1) * sizeof(double));
	memcpy(ana[m], hv[m]->data, nn[m] * sizeof(double));
	/* numeric: central differences of s over every input and u */
	for (int j = 0; j <= m; j++) {
		num = calloc(nn[j] ? nn[j] : 1, sizeof(double));
		for (size_t k = 0; k < nn[j]; k++) {
			double x0 = vals[j][k], sp, sm;

			vals[j][k] = x0 + H2;
			sp = s_value(s);
			vals[j][k] = x0 - H2;
			sm = s_value(s);
			vals[j][k] = x0;
			num[k] = (sp - sm) / (2 * H2);
		}
		compare(c->name, j == m ? "second order (upstream)" :
			"second order", j, ana[j], num, nn[j], TOL2);
		free(num);
		free(ana[j]);
	}
}

void t_gradcheck(const struct t_gc *c, uint64_t seed)
{
	struct gc_state s;
	struct vt_rng r;
	struct vt_nn_val *in[T_GC_MAX_IN], *out;
	struct vt_err err = { 0 };

	memset(&s, 0, sizeof s);
	s.c = c;
	vt_rng_seed(&r, seed, 0);
	cr_assert_eq(vt_nn_graph_new(&s.g, &err), 0);
	for (int i = 0; i < c->nin; i++) {
		size_t n = 1;

		for (int d = 0; d < c->rank[i]; d++)
			n *= (size_t)c->shape[i][d];
		s.n[i] = n;
		if (c->kind[i] == T_GC_INDEX) {
			s.ix[i] = calloc(n ? n : 1, sizeof(int64_t));
			for (size_t k = 0; k < n; k++)
				s.ix[i][k] = vt_rng_range(&r, 0, c->hi[i] - 1);
		} else {
			s.x[i] = calloc(n ? n : 1, sizeof(double));
			s.v[i] = calloc(n ? n : 1, sizeof(double));
			for (size_t k = 0; k < n; k++) {
				s.x[i][k] = draw(&r, c->kind[i]);
				s.v[i][k] = vt_rng_normal(&r);
			}
		}
	}
	s.u = calloc(1, sizeof(double));
	out = forward(&s, in);
	s.out_rank = out->rank;
	memcpy(s.out_shape, out->shape, sizeof s.out_shape);
	s.out_n = out->numel;
	free(s.u);
	s.u = calloc(s.out_n ? s.out_n : 1, sizeof(double));
	for (size_t k = 0; k < s.out_n; k++)
		s.u[k] = vt_rng_normal(&r);
	check_first(&s);
	if (c->second)
		check_second(&s);
	for (int i = 0; i < c->nin; i++) {
		free(s.x[i]);
		free(s.v[i]);
		free(s.ix[i]);
	}
	free(s.u);
	vt_nn_graph_free(s.g);
}

void t_gc_input(struct t_gc *c, int i, int rank, const int64_t *shape,
		enum t_gc_kind k)
{
	c->rank[i] = rank;
	memcpy(c->shape[i], shape, sizeof c->shape[i][0] * (size_t)rank);
	c->kind[i] = k;
	if (c->nin <= i)
		c->nin = i + 1;
}

void t_gc_run(struct t_gc *c, void (*setup)(struct t_gc *c),
	      struct vt_rng *rng, uint64_t stream, int seeds)
{
	for (uint64_t s = 1; s <= (uint64_t)seeds; s++) {
		vt_rng_seed(rng, s, stream);
		memset(c->rank, 0, sizeof c->rank);
		memset(c->shape, 0, sizeof c->shape);
		memset(c->kind, 0, sizeof c->kind);
		c->nin = 0;
		setup(c);
		t_gradcheck(c, s);
	}
}
