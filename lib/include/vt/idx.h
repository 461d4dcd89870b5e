/* vt/idx.h - IDX files (the MNIST and Fashion-MNIST format), plain or gzip.
 *
 * Layout: two zero bytes, a type byte (0x08 U8, 0x09 I8, 0x0B I16, 0x0C
 * I32, 0x0D F32, 0x0E F64), the rank (1 to 8), one big-endian u32 per
 * dimension, then the elements big-endian in C order, nothing after them.
 * A gzip file (".gz" or not: the magic bytes decide) is inflated, its
 * members as one stream as gzip -dc reads them (see stream_inflate below).
 */
#ifndef VT_IDX_H
#define VT_IDX_H

#include <stdbool.h>
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

/*
 * Reading in pieces, so that the data need not be held at once and the
 * inflating can overlap the caller's work.  vt_idx_stream_open reads and
 * checks the header (the same checks and messages as vt_idx_read); the
 * data then comes either whole (vt_idx_stream_read_all) or in pieces of
 * whole items along the first dimension (vt_idx_stream_next).
 *
 * A piece holds piece_bytes / (bytes of one item) items, at least one, and
 * the last piece the rest; so a piece's buffer is as large as one item even
 * when that is more than piece_bytes: look at the item size in the info
 * before asking for pieces (for a gzip file the header's sizes are proven
 * only as the data is read).  With slots >= 2 a second thread reads up to
 * that many pieces ahead; with 0 or 1 each piece is read when asked for.
 * The pieces, their boundaries, the errors and the order in which they are
 * reported are the same either way.
 */
#define VT_IDX_PIECE_BYTES_DEFAULT (256u * 1024u)
#define VT_IDX_STREAM_MAX_SLOTS 16

struct vt_idx_stream_opts {
	uint64_t max_bytes;    /* the data limit (0: the default) */
	size_t piece_bytes;    /* 0: VT_IDX_PIECE_BYTES_DEFAULT */
	int slots;             /* pieces in flight (>= 2: a reading thread) */
	/* gzip: inflate as the data is read (zlib), never holding it whole.
	 * By default a gzip file of up to 2 GiB of data is inflated whole
	 * by libdeflate first, twice as fast; where that fails the file is
	 * read this way, so the data, the errors and their messages are the
	 * same either way. */
	bool stream_inflate;
};

struct vt_idx_stream;

/* opts may be NULL (whole-file defaults, no thread).  Errors as
 * vt_idx_read's. */
int vt_idx_stream_open(struct vt_idx_stream **out, const char *path,
		       const struct vt_idx_stream_opts *opts,
		       struct vt_err *err);
/* From memory (not copied; must outlive the stream). */
int vt_idx_stream_open_mem(struct vt_idx_stream **out, const void *buf,
			   size_t len, const char *name,
			   const struct vt_idx_stream_opts *opts,
			   struct vt_err *err);
/* dtype, rank, shape and dimension names ("N,H,W", "N"); no name, data
 * NULL.  Valid until close. */
const struct vt_tensor *vt_idx_stream_info(const struct vt_idx_stream *s);
/* All the data into the owning tensor t, exactly as vt_idx_read; only
 * before any piece. */
int vt_idx_stream_read_all(struct vt_idx_stream *s, struct vt_tensor *t,
			   struct vt_err *err);
/* The next piece: *items items (host order) at *data, writable, valid until
 * the next call or close.  Returns 1 for a piece; 0 after the last, once the
 * input is checked to end there; or a negative status (truncated or corrupt
 * data, trailing bytes: vt_idx_read's messages), again on later calls. */
int vt_idx_stream_next(struct vt_idx_stream *s, void **data, uint64_t *items,
		       struct vt_err *err);
/* Stop the reading thread and free everything; NULL-safe. */
void vt_idx_stream_close(struct vt_idx_stream *s);

#endif
