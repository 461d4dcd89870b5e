/* vt/yolotxt.h - YOLO text label directories (darknet, ultralytics).
 *
 * One .txt per image, named after the image's stem.  Ground-truth lines
 * "CLASS CX CY W H", detection lines "CLASS CX CY W H CONFIDENCE", the box
 * normalised to the image size; CLASS is a non-negative integer.  Blank
 * lines are ignored.  The images are the ground-truth files, in file-name
 * order; an image without a detection file has no detections (ultralytics
 * writes none), a detection file without a ground-truth file is an error.
 *
 * Image sizes come from the headers of the images in a directory (the
 * file whose name without its extension is the stem; nothing is decoded),
 * or from a sizes file of lines "NAME WIDTH HEIGHT" (NAME a stem or a file
 * name whose directories and extension are dropped).
 *
 * Categories: names[0..n) with ids 0..n-1 when names are given (a class
 * without a name is an error), else the classes 0..max named by number.
 * Boxes are x1 = (CX - W/2) * width, x2 = (CX + W/2) * width, ..., area
 * w*h, annotation ids index + 1, no crowd regions.
 */
#ifndef VT_YOLOTXT_H
#define VT_YOLOTXT_H

#include <stddef.h>

#include "vt/err.h"
#include "vt/eval.h"

struct vt_yolo_inputs {
	const char *gt_dir, *dt_dir;
	const char *images;          /* image directory, or NULL */
	const char *sizes;           /* sizes file, or NULL */
	char *const *names;
	size_t n_names;
};

/* Into the empty set s.  VT_EOPEN, VT_EIO, VT_EFORMAT ("'gt/a.txt': line
 * 2: expected 5 fields, got 4"), VT_ENOMEM, VT_EINVAL (no images/sizes). */
int vt_yolo_read_dirs(struct vt_eval_set *s, const struct vt_yolo_inputs *in,
		      struct vt_err *err);

/* One file's lines for image img of size w x h (gt: 5 fields, else 6),
 * with class numbers as categories; *maxc raised to the largest class. */
int vt_yolo_parse(struct vt_eval_set *s, const char *buf, size_t len,
		  const char *name, uint32_t img, double w, double h, bool gt,
		  long *maxc, struct vt_err *err);

#endif
