/* vt/slice.h - numpy-style slices of tensors, by position or by dimension
 * name: "images[0,:,0:4,0:4]", "images[N=0,C=0]", "x[-1,::2]". */
#ifndef VT_SLICE_H
#define VT_SLICE_H

#include <stdbool.h>
#include <stdint.h>

#include "vt/err.h"
#include "vt/tensor.h"

struct vt_slice_item {
	char dim_name[VT_DIM_NAME_MAX + 1];   /* "" for a positional item */
	bool is_index;                        /* a single index: drops the dim */
	bool has_start, has_stop;
	int64_t start, stop, step;            /* step 0 means 1 */
};

struct vt_slice {
	char tensor[VT_TENSOR_NAME_MAX + 1];
	int n;                                /* items given */
	struct vt_slice_item items[VT_MAX_RANK];
};

/* Parse "NAME" or "NAME[item,...]"; 0 or VT_EINVAL with a message. */
int vt_slice_parse(const char *spec, struct vt_slice *out, struct vt_err *err);

/* out = t[slice] as a new owning tensor (name and kept dimension names are
 * carried over); 0, VT_EINVAL (index out of range, unknown dimension name)
 * or VT_ENOMEM. */
int vt_slice_apply(const struct vt_slice *s, const struct vt_tensor *t,
		   struct vt_tensor *out, struct vt_err *err);

#endif
