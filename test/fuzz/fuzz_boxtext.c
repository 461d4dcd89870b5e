/* fuzz_boxtext.c - libFuzzer target for the box-list text parser.
 *
 * Any input is either refused with a one-line message or parsed into boxes
 * that are finite and valid for their format; their IoU matrix with itself
 * must lie in [0, 1] with ones on the diagonal where boxes have area.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt/box.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int fmt = 0; fmt < VT_BOX_FORMAT_COUNT; fmt++) {
		struct vt_err err;
		float *boxes = NULL, *m;
		size_t n = 0;

		if (vt_boxes_parse_text((const char *)data, size, "fuzz",
					(enum vt_box_format)fmt, &boxes, &n, &err)) {
			if (!err.msg[0] || strchr(err.msg, '\n'))
				abort(); /* a failure always says why, in one line */
			continue;
		}
		for (size_t i = 0; i < 4 * n; i++)
			if (!isfinite(boxes[i]))
				abort();
		if (n > 0 && n <= 64) {
			m = malloc(n * n * sizeof *m);
			if (!m)
				abort();
			vt_box_iou_matrix(m, boxes, n, boxes, n, VT_BOX_IOU, 0);
			for (size_t i = 0; i < n * n; i++)
				if (!(m[i] >= 0 && m[i] <= 1))
					abort();
			free(m);
		}
		free(boxes);
	}
	return 0;
}
