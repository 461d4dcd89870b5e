/* nms.c - greedy and DIoU non-maximum suppression. */
#include <stdlib.h>
#include <string.h>

#include "vt/box.h"
#include "vt/nms.h"
#include "vt/size.h"

static const char *const kind_names[] = {
	[VT_NMS_GREEDY] = "greedy",
	[VT_NMS_DIOU] = "diou",
};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == VT_NMS_KIND_COUNT,
	       "one name per NMS kind");

const char *vt_nms_kind_name(enum vt_nms_kind k)
{
	return (unsigned)k < VT_NMS_KIND_COUNT ? kind_names[k] : NULL;
}

int vt_nms_kind_parse(const char *s, enum vt_nms_kind *out)
{
	for (int k = 0; k < VT_NMS_KIND_COUNT; k++)
		if (strcmp(s, kind_names[k]) == 0) {
			*out = (enum vt_nms_kind)k;
			return 0;
		}
	return VT_EINVAL;
}

struct order {
	float score;
	size_t i;
};

static int by_score(const void *pa, const void *pb)
{
	const struct order *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

int vt_nms(size_t *keep, size_t *n_keep, const float *boxes,
	   const float *scores, size_t n, float thresh, enum vt_nms_kind kind,
	   struct vt_err *err)
{
	struct order *o;
	unsigned char *dead;
	size_t k = 0;

	*n_keep = 0;
	if ((unsigned)kind >= VT_NMS_KIND_COUNT)
		return vt_err_set(err, VT_EINVAL, "nms: unknown kind %d",
				  (int)kind);
	if (n == 0)
		return 0;
	o = vt_malloc_array(n, sizeof *o);
	dead = calloc(n, 1);
	if (!o || !dead) {
		free(o);
		free(dead);
		return vt_err_set(err, VT_ENOMEM, "nms: out of memory");
	}
	for (size_t i = 0; i < n; i++)
		o[i] = (struct order){ scores[i], i };
	qsort(o, n, sizeof *o, by_score);
	for (size_t a = 0; a < n; a++) {
		const float *ba;

		if (dead[a])
			continue;
		ba = boxes + 4 * o[a].i;
		keep[k++] = o[a].i;
		for (size_t b = a + 1; b < n; b++) {
			const float *bb = boxes + 4 * o[b].i;
			double v;

			if (dead[b])
				continue;
			v = kind == VT_NMS_DIOU ? vt_box_pair(ba, bb, VT_BOX_DIOU, 0)
						: vt_box_iou(ba, bb, 0);
			if (v > thresh)
				dead[b] = 1;
		}
	}
	free(o);
	free(dead);
	*n_keep = k;
	return 0;
}
