/* fuzz_yolotxt.c - libFuzzer target for the YOLO label reader.
 *
 * The input is split at its first line "---" into a ground-truth and a
 * detection file of one 640 x 480 image.  Either a part is refused with
 * a one-line message, or every box is finite and every stat lies in
 * [0, 1] or is -1.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/eval.h"
#include "vt/yolotxt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data, *sep = NULL;
	struct vt_eval_set s;
	struct vt_err err;
	size_t ng = size;
	long maxc = -1;

	for (size_t i = 0; i + 4 <= size; i++)
		if (memcmp(b + i, "---\n", 4) == 0) {
			sep = b + i + 4;
			ng = i;
			break;
		}
	vt_eval_set_init(&s);
	s.n_img = 1;
	if (vt_yolo_parse(&s, b, ng, "gt", 0, 640, 480, true, &maxc, &err) ||
	    (sep && vt_yolo_parse(&s, sep, size - (size_t)(sep - b), "dt", 0,
				  640, 480, false, &maxc, &err))) {
		if (!err.msg[0] || strchr(err.msg, '\n'))
			abort();
	} else if (maxc < 64) {
		struct vt_coco_params p;
		struct vt_coco_matches m;
		struct vt_coco_result r;

		for (size_t i = 0; i < s.n_gt; i++)
			if (!isfinite(s.gt[i].x1) || !isfinite(s.gt[i].w) ||
			    s.gt[i].w < 0)
				abort();
		s.n_cat = (size_t)(maxc + 1);
		vt_coco_params_default(&p);
		if (vt_coco_match(&m, &s, &p, &err) == 0) {
			if (vt_coco_accumulate(&r, &m, &p, &err) == 0) {
				vt_coco_summarize(&r, &p);
				for (int i = 0; i < 12; i++)
					if (!(r.stats[i] == -1 ||
					      (r.stats[i] >= 0 &&
					       r.stats[i] <= 1)))
						abort();
				vt_coco_result_release(&r);
			}
			vt_coco_matches_release(&m);
		}
		s.n_cat = 0;
	}
	vt_eval_set_release(&s);
	return 0;
}
