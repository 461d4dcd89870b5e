/* fuzz_labels.c - libFuzzer target for cutout-aug's --boxes readers: the
 * same bytes as a COCO instances file and as a YOLO label file.
 *
 * Any input must be refused with a message naming it, or give boxes that
 * the occlusion rule takes without trouble (abort() otherwise).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt/augment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vt_rect R = { .y1 = 1, .x1 = 1, .y2 = 5, .x2 = 5 };
	struct vt_aug_labels l;
	struct vt_err err;
	double *b = NULL;
	size_t n = 0;
	int rc;

	vt_err_clear(&err);
	rc = vt_aug_labels_parse_coco(&l, (const char *)data, size, "fuzz",
				      &err);
	if (rc) {
		if (rc >= 0 || err.code != rc ||
		    strncmp(err.msg, "'fuzz': ", 8) != 0 || l.images)
			abort();
	} else {
		for (size_t i = 0; i < l.n_images; i++) {
			double c;

			rc = vt_aug_labels_find(&l, l.images[i].name, 8, 8, &b,
						&n, &err);
			if (rc || n != l.images[i].n)
				abort();
			for (size_t k = 0; k < n; k++) {
				c = vt_aug_box_covered(&R, b + 4 * k);
				if (!(c >= 0 && c <= 1))
					abort();
			}
			free(b);
		}
		vt_aug_labels_release(&l);
	}
	b = NULL;
	n = 0;
	rc = vt_aug_labels_parse_yolo((const char *)data, size, "fuzz", 8, 8,
				      &b, &n, &err);
	if (rc && (rc >= 0 || strncmp(err.msg, "'fuzz': ", 8) != 0))
		abort();
	if (!rc)
		(void)vt_aug_rect_occludes(&R, b, n, 0.5);
	free(b);
	return 0;
}
