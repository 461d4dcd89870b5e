/* fuzz_voctxt.c - libFuzzer target for the VOC text reader and VOC AP.
 *
 * The input is split at its first line "---" into a
 * ground-truth and a detection file of one image.  Either a part is
 * refused with a one-line message, or every AP lies in [0, 1] (or is -1
 * for a class without ground truth).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt/eval.h"
#include "vt/voctxt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data, *sep = NULL;
	struct vt_eval_set s;
	struct vt_voctxt *v = vt_voctxt_new();
	struct vt_err err;
	size_t ng = size;

	if (!v)
		return 0;
	for (size_t i = 0; i + 4 <= size; i++)
		if (memcmp(b + i, "---\n", 4) == 0) {
			sep = b + i + 4;
			ng = i;
			break;
		}
	vt_eval_set_init(&s);
	s.n_img = 1;
	if (vt_voctxt_parse(v, &s, b, ng, "gt", 0, true, &err) ||
	    (sep && vt_voctxt_parse(v, &s, sep, size - (size_t)(sep - b), "dt",
				    0, false, &err))) {
		if (!err.msg[0] || strchr(err.msg, '\n'))
			abort();
	} else if (vt_voctxt_finish(v, &s, &err) == 0) {
		for (int mode = 0; mode < VT_VOC_MODE_COUNT; mode++) {
			struct vt_voc_params p;
			struct vt_voc_result r;

			vt_voc_params_default(&p);
			p.mode = (enum vt_voc_mode)mode;
			p.legacy_pixel = size & 1;
			if (vt_voc_eval(&r, &s, &p, &err))
				abort();
			for (size_t k = 0; k < r.n_cat; k++)
				if (!(r.cls[k].ap == -1 ||
				      (r.cls[k].ap >= 0 && r.cls[k].ap <= 1 + 1e-12)))
					abort();
			vt_voc_result_release(&r);
		}
	}
	vt_voctxt_free(v);
	vt_eval_set_release(&s);
	return 0;
}
