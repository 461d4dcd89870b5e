/* print.c - numpy-like text layout of tensor values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vt/print.h"

int vt_format_value(char *buf, size_t size, enum vt_dtype dt, double v,
		    int precision)
{
	if (dt == VT_BOOL)
		return snprintf(buf, size, "%s", v != 0 ? "True" : "False");
	if (!vt_dtype_is_float(dt)) {
		if (dt == VT_U64 || dt == VT_I64)
			return snprintf(buf, size, "%.0f", v);
		return snprintf(buf, size, "%lld", (long long)v);
	}
	if (isnan(v))
		return snprintf(buf, size, "nan");
	if (isinf(v))
		return snprintf(buf, size, v > 0 ? "inf" : "-inf");
	return snprintf(buf, size, "%.*g", precision, v);
}

struct ctx {
	FILE *f;
	const struct vt_tensor *t;
	int precision, edge, width;
	bool summarise;
	uint64_t stride[VT_MAX_RANK];
	int err;
};

/* Visit the printed indices of dimension d; calls fn for each. */
static bool shown(const struct ctx *c, int d, uint64_t i)
{
	uint64_t n = c->t->shape[d];

	return !c->summarise || n <= (uint64_t)(2 * c->edge) ||
	       i < (uint64_t)c->edge || i >= n - (uint64_t)c->edge;
}

static double load(const struct ctx *c, uint64_t off)
{
	return vt_dtype_load(c->t->dtype, c->t->data, (size_t)off);
}

/* Element off as text; 64-bit integers exactly (a double holds 53 bits). */
static int format_elem(const struct ctx *c, uint64_t off, char *buf,
		       size_t size)
{
	const unsigned char *p = (const unsigned char *)c->t->data;

	if (c->t->dtype == VT_I64) {
		int64_t v;
		memcpy(&v, p + 8 * off, 8);
		return snprintf(buf, size, "%lld", (long long)v);
	}
	if (c->t->dtype == VT_U64) {
		uint64_t v;
		memcpy(&v, p + 8 * off, 8);
		return snprintf(buf, size, "%llu", (unsigned long long)v);
	}
	return vt_format_value(buf, size, c->t->dtype, load(c, off),
			       c->precision);
}

static void put(struct ctx *c, const char *s)
{
	if (fputs(s, c->f) == EOF)
		c->err = -1;
}

static void measure(struct ctx *c, int d, uint64_t off)
{
	const struct vt_tensor *t = c->t;

	if (d == t->rank) {
		char buf[64];
		int w = format_elem(c, off, buf, sizeof buf);
		if (w > c->width)
			c->width = w;
		return;
	}
	for (uint64_t i = 0; i < t->shape[d]; i++) {
		if (!shown(c, d, i)) {
			i = t->shape[d] - (uint64_t)c->edge - 1;
			continue;
		}
		measure(c, d + 1, off + i * c->stride[d]);
	}
}

static void emit(struct ctx *c, int d, uint64_t off)
{
	const struct vt_tensor *t = c->t;
	char buf[80];
	bool first = true;

	if (d == t->rank) {
		char v[64];
		format_elem(c, off, v, sizeof v);
		snprintf(buf, sizeof buf, "%*s", c->width, v);
		put(c, buf);
		return;
	}
	put(c, "[");
	for (uint64_t i = 0; i < t->shape[d]; i++) {
		if (!first) {
			if (d == t->rank - 1) {
				put(c, " ");
			} else {
				/* numpy: one newline per remaining dimension */
				for (int k = d; k < t->rank - 1; k++)
					put(c, "\n");
				for (int k = 0; k <= d; k++)
					put(c, " ");
			}
		}
		first = false;
		if (!shown(c, d, i)) {
			put(c, "...");
			i = t->shape[d] - (uint64_t)c->edge - 1;
			continue;
		}
		emit(c, d + 1, off + i * c->stride[d]);
	}
	put(c, "]");
}

int vt_tensor_print(FILE *f, const struct vt_tensor *t,
		    const struct vt_print_opts *opts)
{
	struct ctx c = { .f = f, .t = t };
	uint64_t threshold = opts && opts->threshold ? opts->threshold : 1000;

	c.precision = opts && opts->precision ? opts->precision : 8;
	c.edge = opts && opts->edge ? opts->edge : 3;
	c.summarise = vt_tensor_numel(t) > threshold;
	if (t->rank > 0) {
		c.stride[t->rank - 1] = 1;
		for (int d = t->rank - 2; d >= 0; d--)
			c.stride[d] = c.stride[d + 1] * t->shape[d + 1];
	}
	measure(&c, 0, 0);
	if (vt_tensor_numel(t) == 0 && t->rank > 0) {
		put(&c, "[]\n"); /* as numpy prints any empty array */
		return c.err;
	}
	emit(&c, 0, 0);
	put(&c, "\n");
	return c.err;
}
