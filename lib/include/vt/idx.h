/* vt/idx.h - IDX files (the MNIST and Fashion-MNIST format), plain or gzip.
 *
 * Layout: two zero bytes, a type byte (0x08 U8, 0x09 I8, 0x0B I16, 0x0C
 * I32, 0x0D F32, 0x0E F64), the rank (1 to 8), one big-endian u32 per
 * dimension, then the elements big-endian in C order, nothing after them.
 * A gzip file (".gz" or not: the magic bytes decide) is inflated on the fly.
 */
#ifndef VT_IDX_H
#define VT_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "vt/err.h"
#include "vt/tensor.h"

#define VT_IDX_MAX_BYTES_DEFAULT (UINT64_C(8) << 30)   /* 8 GiB of data */

/* Whether a path names an IDX file by its name: "-idx<N>-" or ".idx" in the
 * base name (train-images-idx3-ubyte, t10k-labels-idx1-ubyte.gz, x.idx). */
int vt_idx_is_path(const char *path);

/*
 * Read an IDX file into an owning tensor t (need not be initialised;
 * released on failure) of the file's dtype and shape, in host byte order.
 * Rank 3 is named "N,H,W", rank 1 "N", others unnamed.  max_bytes limits
 * the data (0: the default); the buffer grows with the data actually read,
 * so a header that lies costs no more memory than the file holds.  Errors,
 * all starting "'NAME': ": VT_EOPEN, VT_EIO, VT_EFORMAT (bad magic, type
 * or rank, truncated, trailing bytes, corrupt gzip), VT_ELIMIT, VT_ENOMEM.
 */
int vt_idx_read(const char *path, uint64_t max_bytes, struct vt_tensor *t,
		struct vt_err *err);
/* The same from memory (gzip or plain). */
int vt_idx_read_mem(const void *buf, size_t len, const char *name,
		    uint64_t max_bytes, struct vt_tensor *t, struct vt_err *err);

#endif
