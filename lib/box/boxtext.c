/* boxtext.c - box sets as text: four numbers a line. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vt/box.h"
#include "vt/size.h"

#define TOKEN_MAX 64   /* longest number accepted, in bytes */

struct boxbuf {
	float *v;
	size_t n, cap;   /* boxes */
};

static int boxbuf_push(struct boxbuf *bb, const float box[4],
		       struct vt_err *err)
{
	if (bb->n == bb->cap) {
		size_t cap = bb->cap ? bb->cap * 2 : 64;
		float *v = vt_realloc_array(bb->v, cap, 4 * sizeof *v);

		if (!v)
			return vt_err_set(err, VT_ENOMEM,
					  "out of memory for %zu boxes", cap);
		bb->v = v;
		bb->cap = cap;
	}
	memcpy(bb->v + 4 * bb->n++, box, 4 * sizeof *box);
	return 0;
}

static int is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
	       c == ',';
}

/* Parse one number token of len bytes into *out; a message on failure. */
static const char *parse_number(const char *s, size_t len, float *out)
{
	char tok[TOKEN_MAX + 1];
	char *end;
	double d;

	if (len > TOKEN_MAX)
		return "number too long";
	memcpy(tok, s, len);
	tok[len] = '\0';
	d = strtod(tok, &end);
	if (end != tok + len || len == 0)
		return "not a number";
	if (!isfinite(d))
		return "not a finite number";
	if (fabs(d) > FLT_MAX)
		return "out of the range of F32";
	*out = (float)d;
	return NULL;
}

/* One line, without its newline: 0 boxes (blank or comment), 1 box, or an
 * error. */
static int parse_line(const char *s, size_t len, const char *name,
		      size_t lineno, enum vt_box_format fmt,
		      struct boxbuf *bb, struct vt_err *err)
{
	const char *hash = memchr(s, '#', len);
	float box[4];
	size_t i = 0, count = 0;
	const char *why;

	if (hash)
		len = (size_t)(hash - s);
	if (memchr(s, '\0', len))
		return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: NUL byte",
				  name, lineno);
	while (i < len) {
		size_t start;

		while (i < len && is_sep(s[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_sep(s[i]))
			i++;
		if (count < 4) {
			why = parse_number(s + start, i - start, &box[count]);
			if (why)
				return vt_err_set(err, VT_EFORMAT,
						  "'%s': line %zu: '%.*s': %s",
						  name, lineno,
						  (int)(i - start < 32 ? i - start
								       : 32),
						  s + start, why);
		}
		count++;
	}
	if (count == 0)
		return 0;
	if (count != 4)
		return vt_err_set(err, VT_EFORMAT,
				  "'%s': line %zu: expected 4 numbers, got %zu",
				  name, lineno, count);
	why = vt_box_problem(box, fmt);
	if (why)
		return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: %s", name,
				  lineno, why);
	return boxbuf_push(bb, box, err);
}

int vt_boxes_parse_text(const char *buf, size_t len, const char *name,
			enum vt_box_format fmt, float **boxes, size_t *n,
			struct vt_err *err)
{
	struct boxbuf bb = {0};
	size_t pos = 0, lineno = 0;
	int rc = 0;

	*boxes = NULL;
	*n = 0;
	if ((unsigned)fmt >= VT_BOX_FORMAT_COUNT)
		return vt_err_set(err, VT_EINVAL, "unknown box format %d",
				  (int)fmt);
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;

		rc = parse_line(buf + pos, end - pos, name, ++lineno, fmt, &bb,
				err);
		if (rc) {
			free(bb.v);
			return rc;
		}
		pos = nl ? end + 1 : len;
	}
	vt_box_convert(bb.v, bb.v, bb.n, fmt, VT_BOX_XYXY);
	*boxes = bb.v;
	*n = bb.n;
	return 0;
}
