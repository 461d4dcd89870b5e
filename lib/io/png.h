/* png.h - vt's PNG encoder and common-case decoder on zlib and libdeflate
 * (private to io; the unit tests include it too). */
#ifndef VT_IO_PNG_H
#define VT_IO_PNG_H

#include <stdint.h>
#include <stdio.h>

#include "vt/err.h"

/* The zlib level PNG files are written with (PIL's default). */
#define VT_PNG_LEVEL 6

/*
 * Write an 8-bit PNG of w x h pixels with c channels (1 grey, 2 grey+alpha,
 * 3 RGB, 4 RGBA), rows top to bottom, interleaved, to f: IHDR, the IDAT
 * chunks of one zlib stream at `level` (0-9, strategy Z_RLE) and IEND.  Each row gets the
 * filter whose output has the smallest sum of absolute values (as signed
 * bytes), the heuristic the PNG specification recommends.  Errors name
 * `name`: VT_EIO (write), VT_ENOMEM, VT_EINVAL (bad sizes).
 */
int vt_png_encode(FILE *f, const char *name, const uint8_t *pix, uint32_t w,
		  uint32_t h, int c, int level, struct vt_err *err);

/*
 * Decode an 8-bit, non-interlaced grey, grey+alpha, RGB or RGBA PNG of
 * w x h (from its IHDR, already checked) into out, h * w * channels bytes,
 * converted as stb_image converts (channels equal to the file's, or 3 or
 * 4).  Returns 0, or -1 for anything else or anything unexpected, when the
 * caller decodes with stb_image instead (out then holds garbage).
 */
int vt_png_decode8(const void *data, size_t len, uint32_t w, uint32_t h,
		   int channels, uint8_t *out);
/* The two ways vt_png_decode8 takes, for the tests: inflated whole by
 * libdeflate (any size), or a row at a time by zlib (the way for images too
 * large to inflate whole, and for anything the first declines). */
int vt_png_decode8_whole(const void *data, size_t len, uint32_t w,
			 uint32_t h, int channels, uint8_t *out);
int vt_png_decode8_rows(const void *data, size_t len, uint32_t w, uint32_t h,
			int channels, uint8_t *out);

#endif
