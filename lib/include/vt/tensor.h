/* vt/tensor.h - the n-dimensional array with named dimensions. */
#ifndef VT_TENSOR_H
#define VT_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vt/dtype.h"
#include "vt/err.h"

#define VT_MAX_RANK 8
#define VT_DIM_NAME_MAX 32                       /* bytes, without the NUL */
#define VT_TENSOR_NAME_MAX 255                   /* bytes of UTF-8 */
#define VT_MAX_EXTENT ((UINT64_C(1) << 48) - 1)  /* any dimension or offset */

/*
 * A tensor: dtype, shape, optional dimension names, C-order contiguous data.
 * It owns its name always and its data unless owns_data is false (a view
 * into a buffer that someone else keeps alive).
 */
struct vt_tensor {
	char *name;                                    /* owned; may be NULL */
	enum vt_dtype dtype;
	int rank;                                      /* 0..VT_MAX_RANK */
	uint64_t shape[VT_MAX_RANK];
	char dims[VT_MAX_RANK][VT_DIM_NAME_MAX + 1];   /* "" = unnamed */
	void *data;
	size_t nbytes;
	bool owns_data;
};

/* Element count and byte size of a shape, with overflow and extent checks:
 * 0 or VT_EFORMAT with a message. */
int vt_shape_size(enum vt_dtype dt, int rank, const uint64_t *shape,
		  uint64_t *numel, uint64_t *nbytes, struct vt_err *err);

/* A zero-filled owning tensor.  name may be NULL. */
int vt_tensor_init(struct vt_tensor *t, const char *name, enum vt_dtype dt,
		   int rank, const uint64_t *shape, struct vt_err *err);

/* A view of data (nbytes must match the shape).  name may be NULL. */
int vt_tensor_init_view(struct vt_tensor *t, const char *name,
			enum vt_dtype dt, int rank, const uint64_t *shape,
			void *data, struct vt_err *err);

/* Free what t owns and zero it; NULL-safe. */
void vt_tensor_release(struct vt_tensor *t);

/* Make t own its data (copy a view); 0 or VT_ENOMEM. */
int vt_tensor_own(struct vt_tensor *t, struct vt_err *err);

int vt_tensor_set_name(struct vt_tensor *t, const char *name,
		       struct vt_err *err);

uint64_t vt_tensor_numel(const struct vt_tensor *t);

/* Dimension names. */
bool vt_dim_name_valid(const char *s, size_t len);
bool vt_tensor_name_valid(const char *s, size_t len);
bool vt_tensor_has_dims(const struct vt_tensor *t);
/* Set names from "N,C,H,W" (exactly one entry per dimension, "" unnamed). */
int vt_tensor_set_dims(struct vt_tensor *t, const char *csv, size_t len,
		       struct vt_err *err);
/* Write "N,C,H,W" into buf (size at least VT_MAX_RANK*(VT_DIM_NAME_MAX+1)). */
void vt_tensor_dims_csv(const struct vt_tensor *t, char *buf, size_t size);
/* Index of the dimension called name, or -1. */
int vt_tensor_dim_index(const struct vt_tensor *t, const char *name);

/* "[N=64, C=1, H=28, W=28]" or "[64, 1, 28, 28]" into buf. */
void vt_tensor_shape_str(const struct vt_tensor *t, char *buf, size_t size);

#endif
