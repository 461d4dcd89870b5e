/* vt/record.h - tensor records: safetensors blobs, alone or in streams.
 *
 * A record is a set of named tensors plus string metadata.  On disk it is one
 * safetensors blob (see vt-tensor(5)); a stream is any number of records back
 * to back.  Dimension names travel as "vt.dims.<tensor>" metadata: the reader
 * moves them into the tensors' dims and the writer regenerates them, so
 * record->meta holds only the other keys ("vt.format" is checked and
 * dropped on read, written on every write).
 */
#ifndef VT_RECORD_H
#define VT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vt/err.h"
#include "vt/tensor.h"

struct vt_meta {
	char *key;
	char *value;
};

struct vt_record {
	struct vt_meta *meta;
	size_t n_meta, cap_meta;
	struct vt_tensor *tensors;
	size_t n_tensors, cap_tensors;
	void *block;        /* owned data block the tensors may view, or NULL */
};

void vt_record_init(struct vt_record *r);
/* Free everything the record owns and re-initialise it; NULL-safe. */
void vt_record_release(struct vt_record *r);

/* Set (replace) a metadata entry; key and value are copied. */
int vt_record_meta_set(struct vt_record *r, const char *key, const char *value,
		       struct vt_err *err);
const char *vt_record_meta_get(const struct vt_record *r, const char *key);
/* Copy every metadata entry of src into dst (linear when dst has none). */
int vt_record_meta_copy(struct vt_record *dst, const struct vt_record *src,
			struct vt_err *err);

/* Move t into the record (t is zeroed on success, untouched on failure).
 * The name must be set, valid and not yet used in r. */
int vt_record_add(struct vt_record *r, struct vt_tensor *t, struct vt_err *err);
/* Make room for n tensors in all. */
int vt_record_reserve(struct vt_record *r, size_t n, struct vt_err *err);
struct vt_tensor *vt_record_find(const struct vt_record *r, const char *name);

/* Encode the header JSON (without the 8-byte length, padded with spaces so
 * that 8 + *len is a multiple of 64) into a malloc'd buffer, and the data
 * length.  Deterministic: the same tensors give the same bytes. */
int vt_record_header(const struct vt_record *r, char **json, size_t *len,
		     uint64_t *data_len, struct vt_err *err);

/* Write the 8-byte length and the header of r to f; the caller writes the
 * tensor data after it, in disk order (dtype size descending, then name).
 * For a tensor produced piece by piece, add a view with data NULL: only its
 * shape and dtype are used here. */
int vt_record_write_header(FILE *f, const char *name, const struct vt_record *r,
			   struct vt_err *err);

/* The tensors of r in that disk order: a malloc'd array of r->n_tensors
 * pointers into r, for the caller to free.  VT_EINVAL for a name used
 * twice, VT_ENOMEM. */
int vt_record_data_order(const struct vt_record *r,
			 const struct vt_tensor ***order, struct vt_err *err);

/* Write one record to f.  name is for messages ("-" or a path). */
int vt_record_write(FILE *f, const char *name, const struct vt_record *r,
		    struct vt_err *err);

/* Reading. */
#define VT_HEADER_LIMIT_DEFAULT (UINT64_C(16) << 20)
#define VT_HEADER_LIMIT_MAX UINT64_C(100000000)

struct vt_reader_opts {
	uint64_t max_header;   /* 0: VT_HEADER_LIMIT_DEFAULT; capped at MAX */
	uint64_t max_data;     /* 0: no limit beyond the file and memory */
	int single;            /* 1: exactly one record, -1: a stream,
				  0: by name (".safetensors" is one record) */
	bool no_mmap;          /* read regular files instead of mapping them */
};

struct vt_reader;

/* Open path ("-" or NULL: standard input).  opts may be NULL. */
int vt_reader_open(struct vt_reader **out, const char *path,
		   const struct vt_reader_opts *opts, struct vt_err *err);
/* Read records from an open descriptor (not closed by vt_reader_close). */
int vt_reader_open_fd(struct vt_reader **out, int fd, const char *name,
		      const struct vt_reader_opts *opts, struct vt_err *err);
/* Read records from memory (not copied; must outlive the reader). */
int vt_reader_open_mem(struct vt_reader **out, const void *buf, size_t len,
		       const char *name, const struct vt_reader_opts *opts,
		       struct vt_err *err);

/*
 * Read the next record into rec (which must be initialised; it is released
 * first).  Returns 1 for a record, 0 at a clean end of input, or a negative
 * status.  Tensors may be views into memory the reader owns (a mapped file):
 * they stay valid until vt_reader_close.  Every tensor's data is aligned to
 * its element size.  Messages read "'NAME': record K: problem".
 */
int vt_reader_next(struct vt_reader *rd, struct vt_record *rec,
		   struct vt_err *err);

/* Index of the record that the last vt_reader_next returned or failed on. */
uint64_t vt_reader_index(const struct vt_reader *rd);
const char *vt_reader_name(const struct vt_reader *rd);
/* Size in bytes of a file or memory input; 0 for a stream. */
uint64_t vt_reader_size(const struct vt_reader *rd);

/* Close; NULL-safe. */
void vt_reader_close(struct vt_reader *rd);

/* Read a file that must hold exactly one record. */
int vt_record_load(const char *path, struct vt_record *rec,
		   const struct vt_reader_opts *opts, struct vt_err *err);

/* Write one record to path atomically ("-": standard output). */
int vt_record_save(const char *path, const struct vt_record *r,
		   struct vt_err *err);

#endif
