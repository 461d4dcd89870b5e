/* fuzz_idx.c - libFuzzer target for the IDX reader (plain and gzip).
 *
 * Any input must be refused with a message naming it, or read into a tensor
 * whose byte size is what its shape says (abort() otherwise).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt/idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_err err;
	struct vt_tensor t;
	uint64_t numel = 1;
	int rc;

	vt_err_clear(&err);
	/* a small limit keeps each run fast; the checks are the same */
	rc = vt_idx_read_mem(data, size, "fuzz", 1 << 24, &t, &err);
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
