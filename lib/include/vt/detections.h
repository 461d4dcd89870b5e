/* vt/detections.h - writing yolo-detect's detections in each format.
 *
 *   text    one line per detection: image, class name, score, x1 y1 x2 y2
 *   jsonl   one object per detection: image, class_id, class, score,
 *           objectness, box [x1, y1, x2, y2]
 *   coco    one JSON results list [{image_id, category_id, bbox [x, y, w,
 *           h], score}, ...]; image ids from a COCO ground truth by file
 *           name (vt_det_writer_coco_gt), else the image's file name must
 *           be a number ("000000139.jpg" is 139); category ids from the
 *           ground truth's categories by class name, else by position,
 *           else the class id
 *   yolo    one label file per image, DIR/<stem>.txt, lines "class cx cy
 *           w h conf" normalised to the image size, as ultralytics writes
 *   tensor  one detection record per image (DESIGN.md): boxes F32 [n,4],
 *           scores F32 [n], classes I32 [n]; metadata image, width, height
 */
#ifndef VT_DETECTIONS_H
#define VT_DETECTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vt/darknet.h"
#include "vt/err.h"
#include "vt/eval.h"

enum vt_det_format {
	VT_DET_TEXT,
	VT_DET_JSONL,
	VT_DET_COCO,
	VT_DET_YOLO,
	VT_DET_TENSOR,
	VT_DET_FORMAT_COUNT
};

/* "text", "jsonl", ...; NULL out of range.  Parse: 0 or VT_EINVAL. */
const char *vt_det_format_name(enum vt_det_format f);
int vt_det_format_parse(const char *s, enum vt_det_format *out);

struct vt_det_writer {
	enum vt_det_format format;
	FILE *out;                  /* all formats but yolo */
	const char *out_name;       /* for messages */
	const char *dir;            /* yolo: the label directory */
	char *const *names;         /* class names, may be NULL */
	int n_names;
	/* coco */
	struct vt_eval_set *gt;     /* from vt_det_writer_coco_gt, or NULL */
	size_t n_written;
	void *user;                 /* for the caller */
};

/* Fill w (format, out, out_name, dir, names set by the caller first). */
void vt_det_writer_init(struct vt_det_writer *w, enum vt_det_format f);
/* coco: take image and category ids from a COCO ground truth file.
 * Errors: VT_EOPEN, VT_EIO, VT_EFORMAT, VT_ENOMEM. */
int vt_det_writer_coco_gt(struct vt_det_writer *w, const char *path,
			  struct vt_err *err);
/* The detections of one image of width x height pixels.  Errors: VT_EIO
 * (out_name), VT_ECREAT (yolo label file), VT_EFORMAT (coco: no image id
 * for path), VT_ENOMEM. */
int vt_det_write(struct vt_det_writer *w, const char *path, int width,
		 int height, const struct vt_dn_det *d, size_t n,
		 struct vt_err *err);
/* End the output (coco: close the list).  Errors: VT_EIO. */
int vt_det_writer_finish(struct vt_det_writer *w, struct vt_err *err);
void vt_det_writer_release(struct vt_det_writer *w);

#endif
