/* vt/box.h - boxes: formats, the IoU family, box sets from text and records.
 *
 * A box is four floats.  Every metric here takes boxes as x1,y1,x2,y2
 * ("xyxy", continuous coordinates, area = (x2-x1)*(y2-y1)); other formats
 * are converted on the way in.  Arrays of boxes are n*4 floats, box i at
 * [4*i .. 4*i+3].
 *
 * The metrics follow torchvision.ops (box_iou, generalized_box_iou,
 * distance_box_iou, complete_box_iou), computed in double and rounded to
 * float once.  For boxes A and B with intersection I, union U = |A|+|B|-I,
 * smallest enclosing box C (width cw, height ch) and centre distance d:
 *
 *   IOU   I/U
 *   GIOU  I/U - (|C| - U)/|C|
 *   DIOU  I/U - d^2/(cw^2 + ch^2 + 1e-7)
 *   CIOU  DIOU - alpha*v,  v = 4/pi^2 (atan(wA/hA) - atan(wB/hB))^2,
 *                          alpha = v/(1 - I/U + v + 1e-7)
 *
 * Where torchvision gives NaN, vt gives a number: when both boxes have zero
 * area (U = 0) every metric is 0, and a box with zero width and height has
 * no aspect ratio, so CIOU's v is 0 for any pair that holds one.
 *
 * With VT_BOX_LEGACY_PIXEL every width and height (of the boxes, the
 * intersection and the enclosing box) is x2-x1+1, the "+1 pixel" rule of
 * the PASCAL VOC devkit; centres are unchanged.
 */
#ifndef VT_BOX_H
#define VT_BOX_H

#include <stddef.h>
#include <stdio.h>

#include "vt/err.h"

enum vt_box_format {
	VT_BOX_XYXY,      /* x1, y1, x2, y2 */
	VT_BOX_XYWH,      /* x1, y1, w, h (COCO) */
	VT_BOX_CXCYWH,    /* centre x, centre y, w, h (YOLO) */
	VT_BOX_FORMAT_COUNT
};

enum vt_box_metric {
	VT_BOX_IOU,
	VT_BOX_GIOU,
	VT_BOX_DIOU,
	VT_BOX_CIOU,
	VT_BOX_METRIC_COUNT
};

/* Flags of the metric functions. */
#define VT_BOX_LEGACY_PIXEL 1u   /* widths and heights are x2-x1+1 */
#define VT_BOX_FLAGS_ALL VT_BOX_LEGACY_PIXEL

/* "xyxy", "xywh", "cxcywh" and "iou", "giou", "diou", "ciou"; NULL for an
 * out-of-range value.  The parsers return 0 or VT_EINVAL. */
const char *vt_box_format_name(enum vt_box_format fmt);
int vt_box_format_parse(const char *s, enum vt_box_format *out);
const char *vt_box_metric_name(enum vt_box_metric metric);
int vt_box_metric_parse(const char *s, enum vt_box_metric *out);

/* Convert n boxes between formats; out may equal in.  Rounds once to float
 * (as torchvision's box_convert does on float32). */
void vt_box_convert(float *out, const float *in, size_t n,
		    enum vt_box_format from, enum vt_box_format to);

/* What is wrong with one box in format fmt ("x2 < x1", "negative width",
 * "not a finite number", ...), or NULL if it is a valid box. */
const char *vt_box_problem(const float box[4], enum vt_box_format fmt);

/*
 * One pair of xyxy boxes.  vt_box_iou is the plain IoU; vt_box_pair any
 * metric (a metric or flag out of range gives NaN).  Both give exactly the
 * value (before rounding to float) that the matrix functions store.
 */
double vt_box_iou(const float a[4], const float b[4], unsigned flags);
double vt_box_pair(const float a[4], const float b[4],
		   enum vt_box_metric metric, unsigned flags);

/*
 * The metric of every pair: out[i*m + j] = metric(a[i], b[j]).
 *   out: (n, m)   a: (n, 4) xyxy   b: (m, 4) xyxy   (a may equal b)
 * Allocates nothing; uses a few threads for large matrices.  Returns 0, or
 * VT_EINVAL for an unknown metric or flag, or n*m overflowing size_t.
 */
int vt_box_iou_matrix(float *out, const float *a, size_t n, const float *b,
		      size_t m, enum vt_box_metric metric, unsigned flags);

/* The metric of corresponding boxes: out[i] = metric(a[i], b[i]).
 *   out: (n)   a: (n, 4) xyxy   b: (n, 4) xyxy
 * Returns 0 or VT_EINVAL. */
int vt_box_iou_pairwise(float *out, const float *a, const float *b, size_t n,
			enum vt_box_metric metric, unsigned flags);

/*
 * Write the matrix of a and b (or, with VT_BOX_WRITE_PAIRWISE, the n values
 * of corresponding boxes; m must equal n) to f, computed band by band so
 * that memory holds one band (16 MiB, or one row if that is larger):
 *   default               raw F32 in host (little-endian) C order: the data
 *                         of a tensor record whose header was written first
 *   VT_BOX_WRITE_TEXT     one row a line (one value a line for pairs),
 *                         values separated by one space, printed from the
 *                         F32 value with %.9g, which reads back exactly
 * flags: VT_BOX_LEGACY_PIXEL and the VT_BOX_WRITE_* flags.  name is f's name
 * for messages.  Returns 0, VT_EINVAL, VT_ENOMEM or VT_EIO.
 */
#define VT_BOX_WRITE_PAIRWISE (1u << 8)
#define VT_BOX_WRITE_TEXT (1u << 9)
int vt_box_iou_write(FILE *f, const char *name, const float *a, size_t n,
		     const float *b, size_t m, enum vt_box_metric metric,
		     unsigned flags, struct vt_err *err);

/*
 * Box sets.  Each reader returns n boxes converted from fmt to xyxy in a
 * malloc'd array *boxes (NULL when n is 0) that the caller frees, and checks
 * every box with vt_box_problem.  name is the input's name for messages.
 *
 * Text: four numbers per line separated by blanks or commas; '#' starts a
 * comment; blank lines are ignored.  Errors are VT_EFORMAT with messages
 * "'NAME': line 3: expected 4 numbers, got 3".
 */
int vt_boxes_parse_text(const char *buf, size_t len, const char *name,
			enum vt_box_format fmt, float **boxes, size_t *n,
			struct vt_err *err);
int vt_boxes_read_text(FILE *f, const char *name, enum vt_box_format fmt,
		       float **boxes, size_t *n, struct vt_err *err);

struct vt_record;

/* The tensor "boxes" of a record: rank 2, [n,4], a float dtype. */
int vt_boxes_from_record(const struct vt_record *rec, const char *name,
			 enum vt_box_format fmt, float **boxes, size_t *n,
			 struct vt_err *err);

/*
 * A box set named by a command-line argument: "-" is standard input; a
 * file's content decides its kind (a tensor record starts with an 8-byte
 * little-endian length and '{'; anything else is text), and a record input
 * must hold exactly one record.  An argument that names no file but reads
 * as one line of four numbers is that box.  Errors: VT_EOPEN, VT_EIO,
 * VT_ENOMEM, VT_EFORMAT.
 */
int vt_boxes_load(const char *arg, enum vt_box_format fmt, float **boxes,
		  size_t *n, struct vt_err *err);

#endif
