/* vt/nms.h - non-maximum suppression over xyxy boxes.
 *
 * Greedy NMS as darknet's do_nms_sort: boxes visited by score, highest
 * first (ties by index); a box not yet suppressed suppresses every later
 * box whose overlap with it is above the threshold.  The overlap is the IoU
 * (vt_box_iou) or, for VT_NMS_DIOU, the DIoU (vt_box_pair with VT_BOX_DIOU,
 * as AlexeyAB's diounms_sort).
 */
#ifndef VT_NMS_H
#define VT_NMS_H

#include <stddef.h>

#include "vt/err.h"

enum vt_nms_kind { VT_NMS_GREEDY, VT_NMS_DIOU, VT_NMS_KIND_COUNT };

/* "greedy", "diou"; NULL out of range.  Parse returns 0 or VT_EINVAL. */
const char *vt_nms_kind_name(enum vt_nms_kind k);
int vt_nms_kind_parse(const char *s, enum vt_nms_kind *out);

/*
 * keep: out (n) indices of the kept boxes, by score descending
 * boxes: (n, 4) xyxy   scores: (n)
 * *n_keep receives the number kept.  Returns 0, VT_EINVAL (unknown kind)
 * or VT_ENOMEM.
 */
int vt_nms(size_t *keep, size_t *n_keep, const float *boxes,
	   const float *scores, size_t n, float thresh, enum vt_nms_kind kind,
	   struct vt_err *err);

#endif
