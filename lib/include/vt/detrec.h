/* vt/detrec.h - detection records (DESIGN.md) as evaluation input.
 *
 * A detection record holds the boxes of one image: boxes F32 [n,4]
 * (x1, y1, x2, y2 in pixels), scores F32 [n], classes I32 [n], metadata
 * "image" (a path), "width", "height".  A ground-truth record adds iscrowd
 * or difficult (U8 [n]) and needs no scores.  Any number of records form
 * a stream (yolo-detect --format tensor writes one per image).
 *
 * Images: a record goes to the ground-truth image whose name equals its
 * "image" exactly, else to the one whose base name equals the record's
 * base name ("imgs/000139.jpg" finds the COCO file_name "000139.jpg"); two
 * images of that base name make the record ambiguous, an error.  An image
 * without a file name is found by its id as the number of the stem
 * ("000000139.jpg" is id 139, as yolo-detect --format coco numbers them).
 * A second record for one image is an error.
 *
 * Classes: with class names (a names file), class c is the category whose
 * name is names[c]; without, class c is the category of index c (COCO:
 * the categories in ascending id order, the order of darknet's
 * coco.names).  A detection whose category is not in the ground truth is
 * dropped and counted in s->n_dt_dropped, as pycocotools drops it.
 *
 * Errors are VT_EFORMAT naming the input, the record and the image:
 *   '-': record 3 (image 'a.jpg'): boxes: F32 [2, 5], expected F32 [N, 4]
 */
#ifndef VT_DETREC_H
#define VT_DETREC_H

#include <stddef.h>

#include "vt/err.h"
#include "vt/eval.h"

/* Ground-truth records into the empty set s: images sorted by name
 * (bytes), categories names[0..n_names) with ids 0..n-1, or without names
 * the classes 0..max named by their number.  Boxes have area w*h and ids
 * index + 1. */
int vt_detrec_read_gt(struct vt_eval_set *s, const void *buf, size_t len,
		      const char *name, char *const *names, size_t n_names,
		      struct vt_err *err);

/* Detection records appended to s, which holds the ground truth. */
int vt_detrec_read_dt(struct vt_eval_set *s, const void *buf, size_t len,
		      const char *name, char *const *names, size_t n_names,
		      struct vt_err *err);

/* Whether buf starts like a tensor record: an 8-byte length, then '{'. */
int vt_detrec_sniff(const void *buf, size_t len);

#endif
