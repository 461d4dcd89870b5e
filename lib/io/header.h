/* header.h - the strict parser of safetensors JSON headers (private to io). */
#ifndef VT_IO_HEADER_H
#define VT_IO_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "vt/dtype.h"
#include "vt/err.h"
#include "vt/tensor.h"

struct vt_hdr_tensor {
	const char *name;          /* into the arena */
	size_t name_len;
	enum vt_dtype dtype;
	int rank;
	uint64_t shape[VT_MAX_RANK];
	uint64_t begin, end;
};

struct vt_hdr_meta {
	const char *key, *value;   /* into the arena, NUL-terminated */
	size_t key_len, value_len;
};

struct vt_hdr {
	char *arena;               /* decoded strings */
	struct vt_hdr_tensor *tensors;
	size_t n_tensors, cap_tensors;
	struct vt_hdr_meta *meta;
	size_t n_meta, cap_meta;
	uint64_t data_len;         /* the largest end offset */
};

/*
 * Parse and validate one header of len bytes: UTF-8, one JSON object with
 * only spaces after it, no duplicate keys, string metadata, exactly the three
 * keys per tensor, known dtypes, integral extents, sizes that match the
 * shapes, and offsets that tile [0, data_len) without gap or overlap.
 * Messages are the bare problem; the caller adds file and record.
 */
int vt_hdr_parse(struct vt_hdr *h, const char *buf, size_t len,
		 struct vt_err *err);
void vt_hdr_release(struct vt_hdr *h);

#endif
