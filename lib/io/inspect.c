/* inspect.c - record descriptions as text and as JSON lines. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vt/inspect.h"
#include "vt/print.h"

bool vt_inspect_selected(const struct vt_inspect_opts *o, const char *name)
{
	if (!o || !o->only || o->n_only == 0)
		return true;
	for (size_t i = 0; i < o->n_only; i++)
		if (strcmp(o->only[i], name) == 0)
			return true;
	return false;
}

/* Text from a file, one line whatever it holds: control characters are
 * written as \n, \t, \r or \xNN (JSON output escapes them itself). */
static void put_escaped(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f)
			fputc(c, f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

static void tensor_stats(const struct vt_tensor *t, const struct vt_inspect_opts *o,
			 struct vt_stats *s)
{
	vt_stats_compute(s, t->dtype, t->data, (size_t)vt_tensor_numel(t),
			 o->threads);
	if (o->progress)
		o->progress(o->progress_ctx, t->nbytes);
}

static void fmt(char *buf, size_t n, enum vt_dtype dt, double v)
{
	/* statistics of integers are printed as floats except min and max */
	vt_format_value(buf, n, dt, v, 8);
}

int vt_inspect_text(FILE *f, const char *file, uint64_t index,
		    const struct vt_record *r, const struct vt_inspect_opts *o,
		    struct vt_err *err)
{
	size_t wname = 4;

	fprintf(f, "%s: record %llu: %zu tensor%s\n", file,
		(unsigned long long)index, r->n_tensors,
		r->n_tensors == 1 ? "" : "s");
	for (size_t i = 0; i < r->n_meta; i++) {
		const char *v = r->meta[i].value;
		size_t n = strlen(v);
		bool cut = !(o && o->full_meta) && n > 100;
		if (cut) /* 96 bytes, not splitting a UTF-8 sequence */
			for (n = 96; n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80; n--)
				;
		fputs("  meta ", f);
		put_escaped(f, r->meta[i].key, strlen(r->meta[i].key));
		fputs(" = ", f);
		put_escaped(f, v, n);
		fputs(cut ? " ...\n" : "\n", f);
	}
	for (size_t i = 0; i < r->n_tensors; i++)
		if (vt_inspect_selected(o, r->tensors[i].name) &&
		    strlen(r->tensors[i].name) > wname)
			wname = strlen(r->tensors[i].name);
	for (size_t i = 0; i < r->n_tensors; i++) {
		const struct vt_tensor *t = &r->tensors[i];
		char shape[VT_MAX_RANK * 64];

		if (!vt_inspect_selected(o, t->name))
			continue;
		vt_tensor_shape_str(t, shape, sizeof shape);
		fprintf(f, "  %-*s  %-4s  %s  %zu bytes\n", (int)wname, t->name,
			vt_dtype_name(t->dtype), shape, t->nbytes);
		if (o && o->stats) {
			struct vt_stats s;
			char mn[64], mx[64], mean[64], sd[64];
			tensor_stats(t, o, &s);
			if (s.finite) {
				fmt(mn, sizeof mn, t->dtype, s.min);
				fmt(mx, sizeof mx, t->dtype, s.max);
				snprintf(mean, sizeof mean, "%.8g", s.mean);
				snprintf(sd, sizeof sd, "%.8g", vt_stats_std(&s));
			} else {
				strcpy(mn, "-");
				strcpy(mx, "-");
				strcpy(mean, "-");
				strcpy(sd, "-");
			}
			fprintf(f, "  %*s  min %s  max %s  mean %s  std %s  "
				"nan %llu  inf %llu  zeros %llu\n", (int)wname, "",
				mn, mx, mean, sd, (unsigned long long)s.nan,
				(unsigned long long)s.inf,
				(unsigned long long)s.zeros);
		}
	}
	if (ferror(f))
		return vt_err_sys(err, VT_EIO, "write error");
	return 0;
}

/* The shortest decimal that reads back as the same double (cJSON's own
 * printing keeps 15 digits when they match within an epsilon). */
static cJSON *num_exact(double v)
{
	char buf[40];

	if (!isfinite(v))
		return cJSON_CreateNull(); /* JSON has no NaN or Inf */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return cJSON_CreateRaw(buf);
}

static cJSON *num_or_null(double v)
{
	return num_exact(v);
}

static cJSON *tensor_json(const struct vt_tensor *t,
			  const struct vt_inspect_opts *o)
{
	cJSON *j = cJSON_CreateObject(), *shape = cJSON_CreateArray();

	cJSON_AddStringToObject(j, "name", t->name);
	cJSON_AddStringToObject(j, "dtype", vt_dtype_name(t->dtype));
	for (int d = 0; d < t->rank; d++)
		cJSON_AddItemToArray(shape, num_exact((double)t->shape[d]));
	cJSON_AddItemToObject(j, "shape", shape);
	if (vt_tensor_has_dims(t)) {
		cJSON *dims = cJSON_CreateArray();
		for (int d = 0; d < t->rank; d++)
			cJSON_AddItemToArray(dims, cJSON_CreateString(t->dims[d]));
		cJSON_AddItemToObject(j, "dims", dims);
	} else {
		cJSON_AddNullToObject(j, "dims");
	}
	cJSON_AddItemToObject(j, "bytes", num_exact((double)t->nbytes));
	if (o && o->stats) {
		struct vt_stats s;
		cJSON *st = cJSON_CreateObject();
		tensor_stats(t, o, &s);
		cJSON_AddItemToObject(st, "count", num_exact((double)s.count));
		cJSON_AddItemToObject(st, "finite", num_exact((double)s.finite));
		cJSON_AddItemToObject(st, "min", s.finite ? num_or_null(s.min) :
				      cJSON_CreateNull());
		cJSON_AddItemToObject(st, "max", s.finite ? num_or_null(s.max) :
				      cJSON_CreateNull());
		cJSON_AddItemToObject(st, "mean", s.finite ? num_or_null(s.mean) :
				      cJSON_CreateNull());
		cJSON_AddItemToObject(st, "std", s.finite ?
				      num_or_null(vt_stats_std(&s)) :
				      cJSON_CreateNull());
		cJSON_AddItemToObject(st, "nan", num_exact((double)s.nan));
		cJSON_AddItemToObject(st, "inf", num_exact((double)s.inf));
		cJSON_AddItemToObject(st, "zeros", num_exact((double)s.zeros));
		cJSON_AddItemToObject(j, "stats", st);
	}
	return j;
}

int vt_inspect_json(FILE *f, const char *file, uint64_t index,
		    const struct vt_record *r, const struct vt_inspect_opts *o,
		    struct vt_err *err)
{
	cJSON *root = cJSON_CreateObject(), *meta, *tensors;
	char *text;

	if (!root)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	cJSON_AddStringToObject(root, "file", file);
	cJSON_AddItemToObject(root, "record", num_exact((double)index));
	meta = cJSON_AddObjectToObject(root, "metadata");
	for (size_t i = 0; i < r->n_meta; i++)
		cJSON_AddStringToObject(meta, r->meta[i].key, r->meta[i].value);
	tensors = cJSON_AddArrayToObject(root, "tensors");
	for (size_t i = 0; i < r->n_tensors; i++)
		if (vt_inspect_selected(o, r->tensors[i].name))
			cJSON_AddItemToArray(tensors,
					     tensor_json(&r->tensors[i], o));
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	fputs(text, f);
	fputc('\n', f);
	cJSON_free(text);
	if (ferror(f))
		return vt_err_sys(err, VT_EIO, "write error");
	return 0;
}
