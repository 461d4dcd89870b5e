/* fuzz_image.c - libFuzzer target for the image reader (vt's checks and
 * stb_image's decoders, compiled instrumented from test/fuzz/stb_impl.c).
 *
 * Any input must be refused with a message naming it, or decoded within the
 * limits; a decoded image must encode as PNG and decode again to the same
 * bytes (abort() otherwise).  The channel count asked for is the input's
 * size mod 5 (0 keeps the file's), so stb's conversions are fuzzed too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* small limits keep each run fast; the checks are the same */
	const struct vt_image_limits lim = { .max_side = 2048,
					     .max_pixels = 1 << 20 };
	struct vt_err err;
	struct vt_tensor t, r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc, w, h, c, want = (int)(size % 5);

	vt_err_clear(&err);
	rc = vt_image_read_mem(data, size, "fuzz", want, &lim, &t, &err);
	if (rc) {
		if (rc >= 0 || err.code != rc || t.data ||
		    strncmp(err.msg, "'fuzz': ", 8) != 0)
			abort();
		return 0;
	}
	if (vt_image_info_mem(data, size, "fuzz", &w, &h, &c, &err) != 0 ||
	    t.dtype != VT_U8 || t.rank != 3 || t.shape[0] != (uint64_t)h ||
	    t.shape[1] != (uint64_t)w ||
	    t.shape[2] != (uint64_t)(want ? want : c) ||
	    (uint64_t)w * (uint64_t)h > lim.max_pixels)
		abort();
	f = open_memstream(&buf, &len);
	if (!f || vt_image_encode(f, "fuzz-out", &t, VT_IMAGE_PNG, 0, &err))
		abort();
	if (fclose(f) != 0)
		abort();
	if (vt_image_read_mem(buf, len, "fuzz-out", 0, NULL, &r, &err) != 0 ||
	    r.nbytes != t.nbytes || memcmp(r.data, t.data, t.nbytes) != 0) {
		fprintf(stderr, "PNG round trip: %s\n", err.msg);
		abort();
	}
	vt_tensor_release(&r);
	vt_tensor_release(&t);
	free(buf);
	return 0;
}
