/* fuzz_idx.c - libFuzzer target for the IDX reader (plain and gzip).
 *
 * Any input must be refused with a message naming it, or read into a tensor
 * whose byte size is what its shape says; read in pieces it must give the
 * same data or the same status and message (abort() otherwise), zlib
 * inflating as it goes where the whole read had libdeflate.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt/idx.h"

/* The pieces of data against the whole read (rc, err, t). */
static void check_pieces(const uint8_t *data, size_t size, int rc,
			 const struct vt_err *err, const struct vt_tensor *t)
{
	/* piece size from the input, so that the fuzzer varies it; zlib's
	 * streaming inflate against the whole read's libdeflate */
	struct vt_idx_stream_opts o = { .max_bytes = 1 << 24,
					.piece_bytes = 1 + size % 97,
					.stream_inflate = true };
	struct vt_idx_stream *s;
	struct vt_err e;
	uint64_t done = 0, k, item;
	void *d;
	int r = vt_idx_stream_open_mem(&s, data, size, "fuzz", &o, &e);

	if (r) {
		if (r != rc || strcmp(e.msg, err->msg) != 0)
			abort();
		return;
	}
	item = vt_idx_stream_info(s)->shape[0]
		       ? vt_idx_stream_info(s)->nbytes /
				 vt_idx_stream_info(s)->shape[0]
		       : 0;
	while ((r = vt_idx_stream_next(s, &d, &k, &e)) == 1) {
		if (!rc && k * item && memcmp(d, (const char *)t->data + done,
					      k * item) != 0)
			abort();
		done += k * item;
	}
	if (r != rc || (rc && strcmp(e.msg, err->msg) != 0) ||
	    (!rc && done != t->nbytes))
		abort();
	vt_idx_stream_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_err err;
	struct vt_tensor t;
	uint64_t numel = 1;
	int rc;

	vt_err_clear(&err);
	/* a small limit keeps each run fast; the checks are the same */
	rc = vt_idx_read_mem(data, size, "fuzz", 1 << 24, &t, &err);
	check_pieces(data, size, rc, &err, &t);
	if (rc) {
		if (rc >= 0 || err.code != rc || t.data ||
		    strncmp(err.msg, "'fuzz': ", 8) != 0)
			abort();
		return 0;
	}
	for (int i = 0; i < t.rank; i++)
		numel *= t.shape[i];
	if (t.rank < 1 || t.nbytes != numel * vt_dtype_size(t.dtype))
		abort();
	vt_tensor_release(&t);
	return 0;
}
