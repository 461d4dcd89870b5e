/* graph.c - the arena, values, parameters and reverse-mode differentiation. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_impl.h"
#include "vt/size.h"

#define ALIGN 64
#define BLOCK_MIN ((size_t)1 << 20)

struct vt_nn_block {
	struct vt_nn_block *next;
	size_t size, used;
	unsigned char *mem;      /* ALIGN-aligned */
};

/* ---- arena ---- */

static struct vt_nn_block *block_new(size_t size)
{
	struct vt_nn_block *b = malloc(sizeof *b);

	if (!b)
		return NULL;
	b->mem = aligned_alloc(ALIGN, size);
	if (!b->mem) {
		free(b);
		return NULL;
	}
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

/* a new block after the current one, big enough for need bytes */
static struct vt_nn_block *grow(struct vt_nn_graph *g, size_t need)
{
	size_t size = g->cur ? g->cur->size * 2 : BLOCK_MIN;
	struct vt_nn_block *nb = block_new(size < need ? need : size);

	if (!nb)
		return NULL;
	g->arena_bytes += nb->size;
	g->arena_mallocs++;
	if (g->cur) {
		nb->next = g->cur->next;
		g->cur->next = nb;
	} else {
		g->head = nb;
	}
	return nb;
}

void *vt_nn__alloc(struct vt_nn_graph *g, size_t bytes)
{
	struct vt_nn_block *b = g->cur;
	size_t need;
	void *p;

	if (bytes > SIZE_MAX - 2 * ALIGN)
		goto oom;
	need = (bytes + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need == 0)
		need = ALIGN;
	/* blocks after the current one are empty: the arena only moves on */
	while (b && b->size - b->used < need)
		b = b->next;
	if (!b)
		b = grow(g, need);
	if (!b)
		goto oom;
	g->cur = b;
	p = b->mem + b->used;
	b->used += need;
	return p;
oom:
	vt_nn__fail(g, VT_ENOMEM, "out of memory (%zu bytes for a value)",
		    bytes);
	return NULL;
}

void *vt_nn__scratch(struct vt_nn_graph *g, size_t bytes)
{
	size_t need;
	void *p;

	if (bytes <= g->scratch_bytes)
		return g->scratch;
	if (bytes > SIZE_MAX - 2 * ALIGN)
		goto oom;
	need = (bytes + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	p = aligned_alloc(ALIGN, need);
	if (!p)
		goto oom;
	free(g->scratch);
	g->scratch = p;
	g->scratch_bytes = need;
	g->arena_mallocs++;
	return p;
oom:
	vt_nn__fail(g, VT_ENOMEM, "out of memory (%zu bytes of scratch)",
		    bytes);
	return NULL;
}

/* ---- graph ---- */

int vt_nn_graph_new(struct vt_nn_graph **out, struct vt_err *err)
{
	struct vt_nn_graph *g = calloc(1, sizeof *g);

	*out = NULL;
	if (!g)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	g->record = true;
	*out = g;
	return 0;
}

void vt_nn_graph_free(struct vt_nn_graph *g)
{
	struct vt_nn_block *b, *n;

	if (!g)
		return;
	for (b = g->head; b; b = n) {
		n = b->next;
		free(b->mem);
		free(b);
	}
	free(g->tape);
	free(g->scratch);
	free(g);
}

void vt_nn_graph_reset(struct vt_nn_graph *g)
{
	for (struct vt_nn_block *b = g->head; b; b = b->next)
		b->used = 0;
	g->cur = g->head;
	g->ntape = 0;
	g->status = 0;
	vt_err_clear(&g->err);
}

int vt_nn_graph_status(const struct vt_nn_graph *g, struct vt_err *err)
{
	if (g->status && err)
		*err = g->err;
	return g->status;
}

bool vt_nn_graph_set_record(struct vt_nn_graph *g, bool on)
{
	bool old = g->record;

	g->record = on;
	return old;
}

size_t vt_nn_graph_arena_bytes(const struct vt_nn_graph *g)
{
	return g->arena_bytes;
}

size_t vt_nn_graph_arena_mallocs(const struct vt_nn_graph *g)
{
	return g->arena_mallocs;
}

struct vt_nn_val *vt_nn__fail(struct vt_nn_graph *g, int code,
			      const char *fmt, ...)
{
	va_list ap;

	if (g->status)
		return NULL;
	va_start(ap, fmt);
	g->status = vt_err_vset(&g->err, code, fmt, ap);
	va_end(ap);
	return NULL;
}

const char *vt_nn__shape_str(const struct vt_nn_val *x, char *buf, size_t n)
{
	size_t k = 0;

	k += (size_t)snprintf(buf, n, "[");
	for (int i = 0; i < x->rank && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "," : "",
				      (long long)x->shape[i]);
	if (k < n)
		snprintf(buf + k, n - k, "]");
	return buf;
}

bool vt_nn__check_float(struct vt_nn_graph *g, const struct vt_nn_val *x,
			const char *what)
{
	if (x->dtype == VT_F32 || x->dtype == VT_F64)
		return true;
	vt_nn__fail(g, VT_EINVAL, "%s: dtype %s, expected F32 or F64", what,
		    vt_dtype_name(x->dtype));
	return false;
}

bool vt_nn__check_same(struct vt_nn_graph *g, const struct vt_nn_val *a,
		       const struct vt_nn_val *b, const char *what)
{
	char sa[96], sb[96];

	if (a->dtype != b->dtype) {
		vt_nn__fail(g, VT_EINVAL, "%s: dtypes %s and %s differ", what,
			    vt_dtype_name(a->dtype), vt_dtype_name(b->dtype));
		return false;
	}
	if (!vt_nn_same_shape(a, b)) {
		vt_nn__fail(g, VT_EINVAL, "%s: shapes %s and %s differ", what,
			    vt_nn__shape_str(a, sa, sizeof sa),
			    vt_nn__shape_str(b, sb, sizeof sb));
		return false;
	}
	return true;
}

bool vt_nn_same_shape(const struct vt_nn_val *a, const struct vt_nn_val *b)
{
	if (a->rank != b->rank)
		return false;
	for (int i = 0; i < a->rank; i++)
		if (a->shape[i] != b->shape[i])
			return false;
	return true;
}

/* numel of a shape, or false on a bad shape */
static bool shape_numel(int rank, const int64_t *shape, size_t *n)
{
	size_t k = 1;

	if (rank < 0 || rank > VT_NN_MAX_RANK)
		return false;
	for (int i = 0; i < rank; i++) {
		if (shape[i] < 0 || (uint64_t)shape[i] > VT_MAX_EXTENT ||
		    vt_mul_overflow_size(k, (size_t)shape[i], &k))
			return false;
	}
	*n = k;
	return true;
}

static struct vt_nn_val *val_alloc(struct vt_nn_graph *g, enum vt_dtype dt,
				   int rank, const int64_t *shape, bool data)
{
	struct vt_nn_val *v;
	size_t n, bytes;

	if (!shape_numel(rank, shape, &n))
		return vt_nn__fail(g, VT_EINVAL, "bad shape (rank %d)", rank);
	if (vt_mul_overflow_size(n, vt_dtype_size(dt), &bytes))
		return vt_nn__fail(g, VT_ENOMEM, "value too large");
	v = vt_nn__alloc(g, sizeof *v);
	if (!v)
		return NULL;
	memset(v, 0, sizeof *v);
	v->dtype = dt;
	v->rank = rank;
	for (int i = 0; i < rank; i++)
		v->shape[i] = shape[i];
	v->numel = n;
	if (data) {
		v->data = vt_nn__alloc(g, bytes);
		if (!v->data)
			return NULL;
	}
	return v;
}

static bool tape_push(struct vt_nn_graph *g, struct vt_nn_val *v)
{
	if (g->ntape == g->cap_tape) {
		size_t cap = g->cap_tape ? 2 * g->cap_tape : 1024;
		struct vt_nn_val **t = vt_realloc_array(g->tape, cap,
							sizeof *t);

		if (!t) {
			vt_nn__fail(g, VT_ENOMEM, "out of memory (graph tape)");
			return false;
		}
		g->tape = t;
		g->cap_tape = cap;
	}
	g->tape[g->ntape++] = v;
	return true;
}

struct vt_nn_val *vt_nn__result(struct vt_nn_graph *g, enum vt_nn_op op,
				enum vt_dtype dt, int rank,
				const int64_t *shape, int nsrc,
				struct vt_nn_val *const *src)
{
	return vt_nn__result_ex(g, op, dt, rank, shape, nsrc, src, true);
}

struct vt_nn_val *vt_nn__result_ex(struct vt_nn_graph *g, enum vt_nn_op op,
				   enum vt_dtype dt, int rank,
				   const int64_t *shape, int nsrc,
				   struct vt_nn_val *const *src, bool data)
{
	struct vt_nn_val *v;
	bool rg = false;

	if (g->status)
		return NULL;
	VT_BUG(nsrc > VT_NN_MAX_SRC);
	for (int i = 0; i < nsrc; i++) {
		if (!src[i])
			return vt_nn__fail(g, VT_EINVAL, "%s: missing input",
					   vt_nn_op_name(op));
		rg |= src[i]->requires_grad;
	}
	v = val_alloc(g, dt, rank, shape, data);
	if (!v)
		return NULL;
	v->op = op;
	v->nsrc = nsrc;
	for (int i = 0; i < nsrc; i++)
		v->src[i] = src[i];
	if (rg && g->record && vt_nn__ops[op].backward) {
		v->requires_grad = true;
		if (!tape_push(g, v))
			return NULL;
	}
	return v;
}

/* ---- values ---- */

struct vt_nn_val *vt_nn_new(struct vt_nn_graph *g, enum vt_dtype dt,
			    int rank, const int64_t *shape)
{
	struct vt_nn_val *v;

	if (g->status)
		return NULL;
	if (dt != VT_F32 && dt != VT_F64 && dt != VT_I64)
		return vt_nn__fail(g, VT_EINVAL, "dtype %s not supported",
				   vt_dtype_name(dt));
	v = val_alloc(g, dt, rank, shape, true);
	if (v)
		memset(v->data, 0, v->numel * vt_dtype_size(dt));
	return v;
}

struct vt_nn_val *vt_nn_from(struct vt_nn_graph *g, enum vt_dtype dt,
			     int rank, const int64_t *shape, const void *data)
{
	struct vt_nn_val *v = vt_nn_new(g, dt, rank, shape);

	if (v && v->numel)
		memcpy(v->data, data, v->numel * vt_dtype_size(dt));
	return v;
}

struct vt_nn_val *vt_nn_full(struct vt_nn_graph *g, enum vt_dtype dt,
			     int rank, const int64_t *shape, double x)
{
	struct vt_nn_val *v = vt_nn_new(g, dt, rank, shape);

	if (!v)
		return NULL;
	for (size_t i = 0; i < v->numel; i++)
		vt_dtype_store(dt, v->data, i, x);
	return v;
}

struct vt_nn_val *vt_nn_scalar(struct vt_nn_graph *g, enum vt_dtype dt,
			       double x)
{
	return vt_nn_full(g, dt, 0, NULL, x);
}

struct vt_nn_val *vt_nn_input(struct vt_nn_graph *g, enum vt_dtype dt,
			      int rank, const int64_t *shape, const void *data)
{
	struct vt_nn_val *v;

	if (dt != VT_F32 && dt != VT_F64)
		return vt_nn__fail(g, VT_EINVAL,
				   "input: dtype %s cannot take gradients",
				   vt_dtype_name(dt));
	v = data ? vt_nn_from(g, dt, rank, shape, data)
		 : vt_nn_new(g, dt, rank, shape);
	if (v)
		v->requires_grad = true;
	return v;
}

struct vt_nn_val *vt_nn_detach(struct vt_nn_graph *g, struct vt_nn_val *x)
{
	struct vt_nn_val *v;

	if (!x || g->status)
		return NULL;
	v = vt_nn__alloc(g, sizeof *v);
	if (!v)
		return NULL;
	memcpy(v, x, sizeof *v);
	v->op = VT_NN_OP_LEAF;
	v->nsrc = 0;
	memset(v->src, 0, sizeof v->src);
	v->requires_grad = false;
	v->is_param = false;
	v->grad = NULL;
	v->adj = NULL;
	v->mark = v->need = 0;
	return v;
}

double vt_nn_get(const struct vt_nn_val *x, size_t i)
{
	return vt_dtype_load(x->dtype, x->data, i);
}

/* ---- parameters ---- */

struct vt_nn_val *vt_nn_param_new(enum vt_dtype dt, int rank,
				  const int64_t *shape, const char *name)
{
	struct vt_nn_val *p;
	size_t n;

	if ((dt != VT_F32 && dt != VT_F64) || !shape_numel(rank, shape, &n))
		return NULL;
	p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->dtype = dt;
	p->rank = rank;
	for (int i = 0; i < rank; i++)
		p->shape[i] = shape[i];
	p->numel = n;
	p->data = vt_calloc_array(n, vt_dtype_size(dt));
	p->grad = vt_calloc_array(n, vt_dtype_size(dt));
	p->requires_grad = true;
	p->is_param = true;
	p->name = name;
	if (!p->data || !p->grad) {
		vt_nn_param_free(p);
		return NULL;
	}
	return p;
}

void vt_nn_param_free(struct vt_nn_val *p)
{
	if (!p)
		return;
	free(p->data);
	free(p->grad);
	free(p);
}

int vt_nn_param_from(struct vt_nn_val **out, const struct vt_tensor *t,
		     enum vt_dtype dt, const char *name, struct vt_err *err)
{
	int64_t shape[VT_NN_MAX_RANK];
	struct vt_nn_val *p;

	*out = NULL;
	if (!vt_dtype_is_float(t->dtype) || t->rank > VT_NN_MAX_RANK ||
	    (dt != VT_F32 && dt != VT_F64))
		return vt_err_set(err, VT_EINVAL,
				  "'%s': %s rank %d cannot be a parameter",
				  t->name ? t->name : "tensor",
				  vt_dtype_name(t->dtype), t->rank);
	for (int i = 0; i < t->rank; i++)
		shape[i] = (int64_t)t->shape[i];
	p = vt_nn_param_new(dt, t->rank, shape, name);
	if (!p)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->numel; i++)
		vt_dtype_store(dt, p->data, i,
			       vt_dtype_load(t->dtype, t->data, i));
	*out = p;
	return 0;
}

int vt_nn_val_view(const struct vt_nn_val *x, bool grad, const char *name,
		   struct vt_tensor *t, struct vt_err *err)
{
	uint64_t shape[VT_NN_MAX_RANK];

	for (int i = 0; i < x->rank; i++)
		shape[i] = (uint64_t)x->shape[i];
	if (grad && !x->grad)
		return vt_err_set(err, VT_EINVAL, "value has no gradient");
	return vt_tensor_init_view(t, name, x->dtype, x->rank, shape,
				   grad ? x->grad : x->data, err);
}

void vt_nn_param_zero_grad(struct vt_nn_val *p)
{
	memset(p->grad, 0, p->numel * vt_dtype_size(p->dtype));
}

/* ---- reverse mode ---- */

/* Pass numbers are global, not per graph: parameters are shared between
 * graphs, and their marks must never match another graph's pass.  (lib/nn
 * is not for concurrent use from several threads.) */
static uint32_t next_epoch(void)
{
	static uint32_t epoch;

	if (++epoch == 0)
		epoch = 1;
	return epoch;
}

static bool is_leaf(const struct vt_nn_val *v)
{
	return v->nsrc == 0;
}

/* Add contribution d to v's adjoint in this pass. */
static void accumulate(struct vt_nn_graph *g, struct vt_nn_val *v,
		       struct vt_nn_val *d)
{
	char s1[96], s2[96];

	if (!d)
		return;
	if (d->dtype != v->dtype || !vt_nn_same_shape(d, v)) {
		vt_nn__fail(g, VT_EBUG,
			    "gradient of %s: got %s %s for %s %s",
			    vt_nn_op_name(v->op), vt_dtype_name(d->dtype),
			    vt_nn__shape_str(d, s1, sizeof s1),
			    vt_dtype_name(v->dtype),
			    vt_nn__shape_str(v, s2, sizeof s2));
		return;
	}
	if (v->mark != g->epoch || !v->adj) {
		v->mark = g->epoch;
		v->adj = d;
	} else {
		v->adj = vt_nn_add(g, v->adj, d);
	}
}

/*
 * The shared walk.  targets: values whose adjoints are wanted (need marks
 * are set on them by the caller with this pass's epoch).  Returns 0 or the
 * graph status.
 */
static int reverse(struct vt_nn_graph *g, int n_out, struct vt_nn_val **outs,
		   struct vt_nn_val **seeds, bool create_graph)
{
	size_t end = g->ntape;
	bool old_record = g->record;

	/* which tape values lead to a target */
	for (size_t t = 0; t < end; t++) {
		struct vt_nn_val *v = g->tape[t];

		if (v->need == g->epoch)
			continue;
		for (int k = 0; k < v->nsrc; k++)
			if (v->src[k]->need == g->epoch) {
				v->need = g->epoch;
				break;
			}
	}
	for (int i = 0; i < n_out; i++) {
		struct vt_nn_val *s = seeds ? seeds[i] : NULL;

		if (!outs[i]->requires_grad)
			continue;
		if (!s)
			s = vt_nn_full(g, outs[i]->dtype, outs[i]->rank,
				       outs[i]->shape, 1.0);
		accumulate(g, outs[i], s);
	}
	if (g->status)
		return g->status;
	g->record = create_graph;
	for (size_t t = end; t-- > 0;) {
		struct vt_nn_val *v = g->tape[t];
		struct vt_nn_val *gx[VT_NN_MAX_SRC] = { NULL };
		bool need[VT_NN_MAX_SRC] = { false };
		bool any = false;

		if (v->mark != g->epoch || !v->adj || v->need != g->epoch)
			continue;
		for (int k = 0; k < v->nsrc; k++) {
			need[k] = v->src[k]->requires_grad &&
				  v->src[k]->need == g->epoch;
			any |= need[k];
		}
		if (!any)
			continue;
		vt_nn__ops[v->op].backward(g, v, v->adj, need, gx);
		if (g->status)
			break;
		for (int k = 0; k < v->nsrc; k++)
			if (need[k])
				accumulate(g, v->src[k], gx[k]);
	}
	g->record = old_record;
	return g->status;
}

int vt_nn_grad(struct vt_nn_graph *g, int n_out, struct vt_nn_val **outputs,
	       struct vt_nn_val **seeds, int n_in, struct vt_nn_val **inputs,
	       struct vt_nn_val **grads, bool create_graph)
{
	if (g->status)
		return g->status;
	for (int i = 0; i < n_out; i++)
		if (!outputs[i])
			return vt_nn__fail(g, VT_EINVAL, "grad: missing output"),
			       g->status;
	for (int j = 0; j < n_in; j++)
		if (!inputs[j])
			return vt_nn__fail(g, VT_EINVAL, "grad: missing input"),
			       g->status;
	g->epoch = next_epoch();
	for (int j = 0; j < n_in; j++)
		inputs[j]->need = g->epoch;
	if (reverse(g, n_out, outputs, seeds, create_graph))
		return g->status;
	for (int j = 0; j < n_in; j++) {
		struct vt_nn_val *x = inputs[j];

		grads[j] = x->mark == g->epoch && x->adj
				   ? x->adj
				   : vt_nn_new(g, x->dtype, x->rank, x->shape);
	}
	return g->status;
}

static void add_into(struct vt_nn_val *p, const struct vt_nn_val *d)
{
	if (p->dtype == VT_F32) {
		float *a = p->grad;
		const float *b = d->data;

		for (size_t i = 0; i < p->numel; i++)
			a[i] += b[i];
	} else {
		double *a = p->grad;
		const double *b = d->data;

		for (size_t i = 0; i < p->numel; i++)
			a[i] += b[i];
	}
}

int vt_nn_backward(struct vt_nn_graph *g, struct vt_nn_val *loss,
		   int n_params, struct vt_nn_val **params)
{
	size_t end = g->ntape;

	if (g->status)
		return g->status;
	if (!loss)
		return vt_nn__fail(g, VT_EINVAL, "backward: missing loss"),
		       g->status;
	g->epoch = next_epoch();
	if (params) {
		for (int j = 0; j < n_params; j++)
			params[j]->need = g->epoch;
	} else {
		/* every parameter that feeds the tape */
		for (size_t t = 0; t < end; t++)
			for (int k = 0; k < g->tape[t]->nsrc; k++) {
				struct vt_nn_val *s = g->tape[t]->src[k];

				if (is_leaf(s) && s->is_param)
					s->need = g->epoch;
			}
	}
	g->accum = true;
	reverse(g, 1, &loss, NULL, false);
	g->accum = false;
	if (g->status)
		return g->status;
	if (params) {
		for (int j = 0; j < n_params; j++)
			if (params[j]->mark == g->epoch && params[j]->adj)
				add_into(params[j], params[j]->adj);
	} else {
		for (size_t t = 0; t < end; t++)
			for (int k = 0; k < g->tape[t]->nsrc; k++) {
				struct vt_nn_val *s = g->tape[t]->src[k];

				if (is_leaf(s) && s->is_param &&
				    s->mark == g->epoch && s->adj) {
					add_into(s, s->adj);
					s->adj = NULL;  /* once */
				}
			}
	}
	return g->status;
}
