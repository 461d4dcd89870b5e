/* boxio.c - box sets from tensor records, files, standard input and
 * command-line arguments. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vt/box.h"
#include "vt/record.h"
#include "vt/size.h"
#include "vt/file.h"

#define STDIN_NAME "<stdin>"   /* as the record reader names it */

int vt_boxes_from_record(const struct vt_record *rec, const char *name,
			 enum vt_box_format fmt, float **boxes, size_t *n,
			 struct vt_err *err)
{
	const struct vt_tensor *t = vt_record_find(rec, "boxes");
	char shape[128];
	float *v;
	size_t rows;

	*boxes = NULL;
	*n = 0;
	if ((unsigned)fmt >= VT_BOX_FORMAT_COUNT)
		return vt_err_set(err, VT_EINVAL, "unknown box format %d",
				  (int)fmt);
	if (!t)
		return vt_err_set(err, VT_EFORMAT, "'%s': no tensor 'boxes'",
				  name);
	if (t->rank != 2 || t->shape[1] != 4) {
		vt_tensor_shape_str(t, shape, sizeof shape);
		return vt_err_set(err, VT_EFORMAT,
				  "'%s': boxes: shape %s, expected [N,4]", name,
				  shape);
	}
	if (!vt_dtype_is_float(t->dtype))
		return vt_err_set(err, VT_EFORMAT,
				  "'%s': boxes: dtype %s, expected F32", name,
				  vt_dtype_name(t->dtype));
	rows = (size_t)t->shape[0];
	if (rows == 0)
		return 0;
	v = vt_malloc_array(rows, 4 * sizeof *v);
	if (!v)
		return vt_err_set(err, VT_ENOMEM,
				  "'%s': out of memory for %zu boxes", name,
				  rows);
	for (size_t i = 0; i < rows; i++) {
		const char *why = NULL;

		for (size_t k = 0; k < 4 && !why; k++) {
			double d = vt_dtype_load(t->dtype, t->data, 4 * i + k);

			if (isfinite(d) && fabs(d) > FLT_MAX)
				why = "out of the range of F32";
			v[4 * i + k] = (float)d;
		}
		if (!why)
			why = vt_box_problem(v + 4 * i, fmt);
		if (why) {
			free(v);
			return vt_err_set(err, VT_EFORMAT,
					  "'%s': boxes: row %zu: %s", name, i,
					  why);
		}
	}
	vt_box_convert(v, v, rows, fmt, VT_BOX_XYXY);
	*boxes = v;
	*n = rows;
	return 0;
}


int vt_boxes_read_text(FILE *f, const char *name, enum vt_box_format fmt,
		       float **boxes, size_t *n, struct vt_err *err)
{
	char *buf;
	size_t len;
	int rc;

	*boxes = NULL;
	*n = 0;
	rc = vt_file_read_stream(f, name, 0, &buf, &len, err);
	if (rc)
		return rc;
	rc = vt_boxes_parse_text(buf, len, name, fmt, boxes, n, err);
	free(buf);
	return rc;
}

/* A tensor record starts with its header length (little-endian, within the
 * largest limit) and the header's '{'; text never does. */
static bool is_record(const unsigned char *p, size_t len)
{
	uint64_t hlen = 0;

	if (len < 9 || p[8] != '{')
		return false;
	for (int i = 7; i >= 0; i--)
		hlen = hlen << 8 | p[i];
	return hlen <= VT_HEADER_LIMIT_MAX;
}

static int record_boxes(const char *buf, size_t len, const char *name,
			enum vt_box_format fmt, float **boxes, size_t *n,
			struct vt_err *err)
{
	struct vt_reader_opts opts = { .single = -1 };
	struct vt_reader *rd;
	struct vt_record rec, extra;
	int rc;

	rc = vt_reader_open_mem(&rd, buf, len, name, &opts, err);
	if (rc)
		return rc;
	vt_record_init(&rec);
	vt_record_init(&extra);
	rc = vt_reader_next(rd, &rec, err);
	if (rc == 1)
		rc = vt_boxes_from_record(&rec, name, fmt, boxes, n, err);
	else if (rc == 0)
		rc = vt_err_set(err, VT_EFORMAT, "'%s': no record", name);
	if (rc == 0) {
		rc = vt_reader_next(rd, &extra, err);
		if (rc == 1)
			rc = vt_err_set(err, VT_EFORMAT,
					"'%s': more than one record; expected "
					"one box set", name);
		if (rc) {
			free(*boxes);
			*boxes = NULL;
			*n = 0;
		}
	}
	vt_record_release(&extra);
	vt_record_release(&rec);
	vt_reader_close(rd);
	return rc;
}

/* Whether s reads as exactly four numbers on one line. */
static bool is_inline_box(const char *s)
{
	int count = 0;

	if (strchr(s, '\n'))
		return false;
	for (;;) {
		char *end;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (!*s)
			return count == 4;
		(void)strtod(s, &end);
		if (end == s || (*end && !strchr(" \t,", *end)))
			return false;
		s = end;
		count++;
	}
}

int vt_boxes_load(const char *arg, enum vt_box_format fmt, float **boxes,
		  size_t *n, struct vt_err *err)
{
	bool is_stdin = strcmp(arg, "-") == 0;
	const char *name = is_stdin ? STDIN_NAME : arg;
	FILE *f = is_stdin ? stdin : fopen(arg, "rb");
	char *buf;
	size_t len;
	int rc;

	*boxes = NULL;
	*n = 0;
	if (!f) {
		if (errno == ENOENT && is_inline_box(arg))
			return vt_boxes_parse_text(arg, strlen(arg), arg, fmt,
						   boxes, n, err);
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open", arg);
	}
	rc = vt_file_read_stream(f, name, 0, &buf, &len, err);
	if (!is_stdin)
		fclose(f);
	if (rc)
		return rc;
	if (is_record((const unsigned char *)buf, len))
		rc = record_boxes(buf, len, name, fmt, boxes, n, err);
	else
		rc = vt_boxes_parse_text(buf, len, name, fmt, boxes, n, err);
	free(buf);
	return rc;
}
