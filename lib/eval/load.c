/* load.c - map-eval's inputs: formats by content, class names files. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vt/coco.h"
#include "vt/detrec.h"
#include "vt/evalio.h"
#include "vt/size.h"
#include "vt/voctxt.h"
#include "vt/yolotxt.h"
#include "vt/file.h"

static const char *const fmt_names[] = {
	[VT_EVAL_AUTO] = "auto",
	[VT_EVAL_COCO] = "coco",
	[VT_EVAL_VOC] = "voc",
	[VT_EVAL_TENSOR] = "tensor",
	[VT_EVAL_YOLO] = "yolo",
};
_Static_assert(sizeof fmt_names / sizeof *fmt_names == VT_EVAL_FMT_COUNT,
	       "a name for each format");

const char *vt_eval_fmt_name(enum vt_eval_fmt f)
{
	return (unsigned)f < VT_EVAL_FMT_COUNT ? fmt_names[f] : NULL;
}

int vt_eval_fmt_parse(const char *s, enum vt_eval_fmt *f)
{
	for (int i = 0; i < VT_EVAL_FMT_COUNT; i++)
		if (strcmp(s, fmt_names[i]) == 0) {
			*f = (enum vt_eval_fmt)i;
			return 0;
		}
	return VT_EINVAL;
}

enum vt_eval_fmt vt_eval_fmt_sniff(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	size_t i = 0;

	if (vt_detrec_sniff(buf, len))
		return VT_EVAL_TENSOR;
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' ||
			   b[i] == '\r'))
		i++;
	if (i < len && (b[i] == '[' || b[i] == '{'))
		return VT_EVAL_COCO;
	return VT_EVAL_AUTO;
}

void vt_names_free(char **names, size_t n)
{
	if (!names)
		return;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int vt_names_read(const char *path, char ***names, size_t *n,
		  struct vt_err *err)
{
	char *buf, *p, **v = NULL;
	size_t len, cnt = 0, empty = 0, line = 0;
	int rc;

	*names = NULL;
	*n = 0;
	if ((rc = vt_file_read(path, 0, &buf, &len, err)))
		return rc;
	for (p = buf; p < buf + len && !rc;) {
		char *e = memchr(p, '\n', (size_t)(buf + len - p)), *t;
		size_t l;

		if (!e)
			e = buf + len;
		line++;
		l = (size_t)(e - p);
		while (l && (p[l - 1] == ' ' || p[l - 1] == '\t' ||
			     p[l - 1] == '\r'))
			l--;
		if (l == 0) {
			if (!empty)
				empty = line;
		} else if (empty) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': line %zu: empty "
					"class name", path, empty);
		} else if (memchr(p, '\0', l)) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': line %zu: NUL "
					"byte", path, line);
		} else {
			char **q = vt_realloc_array(v, cnt + 1, sizeof *v);

			t = q ? malloc(l + 1) : NULL;
			if (q)
				v = q;
			if (!t) {
				rc = vt_err_set(err, VT_ENOMEM, "out of memory");
				break;
			}
			memcpy(t, p, l);
			t[l] = '\0';
			v[cnt++] = t;
		}
		p = e + 1;
	}
	free(buf);
	if (!rc && cnt == 0)
		rc = vt_err_set(err, VT_EFORMAT, "'%s': no class names", path);
	if (rc) {
		vt_names_free(v, cnt);
		return rc;
	}
	*names = v;
	*n = cnt;
	return 0;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return strcmp(p, "-") != 0 && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Read a file input and settle its format. */
static int slurp_fmt(const char *path, enum vt_eval_fmt *f, bool yolo,
		     char **buf, size_t *len, struct vt_err *err)
{
	int rc;

	if (*f == VT_EVAL_AUTO && is_dir(path)) {
		*f = yolo ? VT_EVAL_YOLO : VT_EVAL_VOC;
		return 0;
	}
	if (*f == VT_EVAL_VOC || *f == VT_EVAL_YOLO)
		return 0;
	if ((rc = vt_file_read(path, 0, buf, len, err)))
		return rc;
	if (*f == VT_EVAL_AUTO)
		*f = vt_eval_fmt_sniff(*buf, *len);
	if (*f == VT_EVAL_AUTO)
		return vt_err_set(err, VT_EFORMAT, "'%s': %s", path, *len ?
				  "neither COCO JSON nor detection records" :
				  "empty input");
	return 0;
}

int vt_eval_load(struct vt_eval_set *s, struct vt_eval_inputs *in,
		 struct vt_err *err)
{
	char *gb = NULL, *db = NULL;
	size_t gl = 0, dl = 0;
	enum vt_eval_fmt g, d;
	int rc;

	bool yolo = in->images || in->sizes;

	if ((rc = slurp_fmt(in->gt, &in->gt_fmt, yolo, &gb, &gl, err)) ||
	    (rc = slurp_fmt(in->dt, &in->dt_fmt, yolo, &db, &dl, err)))
		goto out;
	g = in->gt_fmt;
	d = in->dt_fmt;
	if (g == VT_EVAL_YOLO || d == VT_EVAL_YOLO) {
		struct vt_yolo_inputs y = { in->gt, in->dt, in->images,
					    in->sizes, in->names,
					    in->n_names };

		if (g != d)
			rc = vt_err_set(err, VT_EFORMAT, "'%s' and '%s': a "
					"directory of YOLO labels goes with "
					"another", in->gt, in->dt);
		else
			rc = vt_yolo_read_dirs(s, &y, err);
		goto out;
	}
	if ((g == VT_EVAL_VOC) != (d == VT_EVAL_VOC)) {
		rc = vt_err_set(err, VT_EFORMAT, "'%s' and '%s': a directory of "
				"text files goes with another", in->gt, in->dt);
		goto out;
	}
	if ((g == VT_EVAL_TENSOR && d != VT_EVAL_TENSOR) ||
	    (g == VT_EVAL_COCO && d != VT_EVAL_COCO && d != VT_EVAL_TENSOR)) {
		rc = vt_err_set(err, VT_EFORMAT, "'%s' (%s) and '%s' (%s): "
				"formats that do not go together", in->gt,
				fmt_names[g], in->dt, fmt_names[d]);
		goto out;
	}
	if (g == VT_EVAL_VOC)
		rc = vt_voc_read_dirs(s, in->gt, in->dt, err);
	else if (g == VT_EVAL_COCO)
		rc = vt_coco_read_gt(s, gb, gl, in->gt, err);
	else
		rc = vt_detrec_read_gt(s, gb, gl, in->gt, in->names,
				       in->n_names, err);
	free(gb);
	gb = NULL;
	if (rc || g == VT_EVAL_VOC)
		goto out;
	if (d == VT_EVAL_COCO)
		rc = vt_coco_read_dt(s, db, dl, in->dt, err);
	else
		rc = vt_detrec_read_dt(s, db, dl, in->dt, in->names,
				       in->n_names, err);
out:
	free(gb);
	free(db);
	return rc;
}
