/* fuzz_npy.c - libFuzzer target for the .npy reader.
 *
 * Any input must be either refused with a message or read; a tensor read
 * must write back as .npy and read again to the same tensor, and that second
 * write must give the same bytes (a round-trip oracle: abort() otherwise).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/npy.h"

static unsigned char *write_npy(const struct vt_tensor *t, size_t *len)
{
	struct vt_err err;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	if (vt_npy_write(f, "fuzz-out", t, &err) != 0) {
		fprintf(stderr, "write failed: %s\n", err.msg);
		abort();
	}
	if (fclose(f) != 0)
		abort();
	return (unsigned char *)buf;
}

static void same_tensor(const struct vt_tensor *a, const struct vt_tensor *b)
{
	if (a->dtype != b->dtype || a->rank != b->rank ||
	    a->nbytes != b->nbytes ||
	    memcmp(a->shape, b->shape, sizeof a->shape) != 0 ||
	    (a->nbytes && memcmp(a->data, b->data, a->nbytes) != 0)) {
		fprintf(stderr, "round trip changed the tensor\n");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_err err;
	struct vt_tensor t, r, r2;
	unsigned char *once, *twice;
	size_t len1, len2;
	int rc;

	vt_err_clear(&err);
	rc = vt_npy_read_mem(data, size, "fuzz", &t, &err);
	if (vt_npy_magic(data, size) != (size >= 6 &&
					 memcmp(data, "\x93NUMPY", 6) == 0))
		abort();
	if (rc) {
		/* Refused: a negative status, a message naming the input, and
		 * nothing allocated. */
		if (rc >= 0 || err.code != rc || t.data ||
		    strncmp(err.msg, "'fuzz': ", 8) != 0)
			abort();
		return 0;
	}
	if (!t.owns_data || t.name || vt_tensor_has_dims(&t))
		abort();
	once = write_npy(&t, &len1);
	if (len1 % 64 != t.nbytes % 64)
		abort();
	rc = vt_npy_read_mem(once, len1, "fuzz-out", &r, &err);
	if (rc) {
		fprintf(stderr, "re-read failed: %s\n", err.msg);
		abort();
	}
	same_tensor(&t, &r);
	twice = write_npy(&r, &len2);
	if (len1 != len2 || memcmp(once, twice, len1) != 0)
		abort();
	if (vt_npy_read_mem(twice, len2, "fuzz-out", &r2, &err) != 0)
		abort();
	same_tensor(&t, &r2);
	vt_tensor_release(&r2);
	free(twice);
	free(once);
	vt_tensor_release(&r);
	vt_tensor_release(&t);
	return 0;
}
