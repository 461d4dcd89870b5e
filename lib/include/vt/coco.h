/* vt/coco.h - COCO JSON: instances ground truth and results lists.
 *
 * A strict JSON reader made for these two shapes: it validates the whole
 * text (RFC 8259: UTF-8, escapes, numbers, nesting up to 256 levels,
 * nothing after the value), skips the members it does not use, and keeps
 * no tree, so a 25 MB results file costs its boxes and little more.
 * Numbers are read as Python's json module and float() read them
 * (correctly rounded); ids must be integers.
 *
 * Errors are VT_EFORMAT with messages naming the input and the entry:
 *   'dt.json': entry 17: bbox has 3 numbers, expected 4
 *   'gt.json': line 1, column 345: expected ',' or '}'
 */
#ifndef VT_COCO_H
#define VT_COCO_H

#include <stddef.h>

#include "vt/err.h"
#include "vt/eval.h"

/* The ground truth: images (id), categories (id, name), annotations (id,
 * image_id, category_id, bbox [x,y,w,h], area, iscrowd optional).  Ids
 * must be unique; annotations must name known images and categories.
 * s must be empty (vt_eval_set_init). */
int vt_coco_read_gt(struct vt_eval_set *s, const char *buf, size_t len,
		    const char *name, struct vt_err *err);

/* A results list [{image_id, category_id, bbox, score}, ...] appended to
 * s, which holds the ground truth.  An unknown image id is an error;
 * a category id not in the ground truth is dropped and counted in
 * s->n_dt_dropped (as pycocotools drops it). */
int vt_coco_read_dt(struct vt_eval_set *s, const char *buf, size_t len,
		    const char *name, struct vt_err *err);


#endif
