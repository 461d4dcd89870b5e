/* vt/voctxt.h - VOC-style text directories (the layout of Cartucho/mAP).
 *
 * One .txt per image, the same names in the ground-truth and detection
 * directories.  Ground-truth lines: CLASS LEFT TOP RIGHT BOTTOM [difficult];
 * detection lines: CLASS CONFIDENCE LEFT TOP RIGHT BOTTOM.  Fields are
 * separated by blanks; a class name holding blanks is written in double
 * quotes.  Blank lines are ignored.  Images are in file-name order (bytes),
 * classes in name order.
 */
#ifndef VT_VOCTXT_H
#define VT_VOCTXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vt/err.h"
#include "vt/eval.h"

struct vt_voctxt;

struct vt_voctxt *vt_voctxt_new(void);
void vt_voctxt_free(struct vt_voctxt *v);

/* Parse one file of image img (gt: ground-truth lines, else detections),
 * appending to s with provisional class numbers.  Errors: VT_EFORMAT
 * "'NAME': line 3: expected 4 coordinates after the class, got 3". */
int vt_voctxt_parse(struct vt_voctxt *v, struct vt_eval_set *s,
		    const char *buf, size_t len, const char *name,
		    uint32_t img, bool gt, struct vt_err *err);

/* Sort the class names, renumber, and fill s->cat_id / s->cat_name. */
int vt_voctxt_finish(struct vt_voctxt *v, struct vt_eval_set *s,
		     struct vt_err *err);

/* Both directories: every .txt of one needs its twin in the other. */
int vt_voc_read_dirs(struct vt_eval_set *s, const char *gt_dir,
		     const char *dt_dir, struct vt_err *err);

#endif
