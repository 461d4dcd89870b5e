/* vt/evalio.h - reading map-eval's inputs: formats by content, class names.
 *
 * Formats, found by content unless given:
 *   tensor  detection records (vt/detrec.h): 8-byte length, then '{'
 *   coco    COCO JSON (vt/coco.h): first non-blank byte '[' or '{'
 *   voc     a directory of VOC-style .txt files (vt/voctxt.h)
 *   yolo    a directory of YOLO label files (vt/yolotxt.h): a directory
 *           when image sizes (images or sizes) are given
 * Ground truth and detections go together as: coco with coco or tensor
 * detections; tensor with tensor; voc with voc; yolo with yolo.
 */
#ifndef VT_EVALIO_H
#define VT_EVALIO_H

#include <stddef.h>

#include "vt/err.h"
#include "vt/eval.h"

enum vt_eval_fmt {
	VT_EVAL_AUTO,
	VT_EVAL_COCO,
	VT_EVAL_VOC,
	VT_EVAL_TENSOR,
	VT_EVAL_YOLO,
	VT_EVAL_FMT_COUNT
};

/* "auto", "coco", ...; NULL out of range.  Parse: 0 or VT_EINVAL. */
const char *vt_eval_fmt_name(enum vt_eval_fmt f);
int vt_eval_fmt_parse(const char *s, enum vt_eval_fmt *f);

/* The format of a file's first bytes: tensor, coco, or AUTO (unknown). */
enum vt_eval_fmt vt_eval_fmt_sniff(const void *buf, size_t len);

/* Class names, one a line (darknet's coco.names): trailing blanks and
 * '\r' removed, trailing empty lines ignored; an empty line before the
 * last name is an error ("'FILE': line 3: empty class name"). */
int vt_names_read(const char *path, char ***names, size_t *n,
		  struct vt_err *err);
void vt_names_free(char **names, size_t n);

struct vt_eval_inputs {
	const char *gt, *dt;            /* paths, "-" for standard input */
	enum vt_eval_fmt gt_fmt, dt_fmt; /* AUTO: by content; set on return */
	char *const *names;             /* class names, or NULL */
	size_t n_names;
	const char *images, *sizes;     /* yolo: image directory, sizes file */
};

/* Read ground truth and detections into the empty set s.  Errors name
 * the input: VT_EOPEN, VT_EIO, VT_EFORMAT, VT_ENOMEM. */
int vt_eval_load(struct vt_eval_set *s, struct vt_eval_inputs *in,
		 struct vt_err *err);

#endif
