/* pnm.h - binary PGM and PPM (P5, P6) read by vt itself (private to io;
 * the unit tests include it too). */
#ifndef VT_IO_PNM_H
#define VT_IO_PNM_H

#include <stddef.h>
#include <stdint.h>

#include "vt/err.h"

struct vt_pnm {
	uint32_t w, h;
	int nc;          /* 1 (P5) or 3 (P6) */
	int bytes;       /* per sample: 1 (max value up to 255) or 2 */
	size_t data;     /* offset of the pixel data */
};

/*
 * Parse the header at p as stb_image reads it: "P5" or "P6", width, height
 * and max value as decimal numbers between whitespace and '#' comments,
 * then one byte before the pixel data.  Returns 1 with *pnm filled, 0 when
 * p is not a P5 or P6 file, or VT_EFORMAT ("'NAME': ...") for a header stb
 * would misread: a number above 2^31 - 1, a max value of 0 or above 65535.
 */
int vt_pnm_header(const uint8_t *p, size_t len, const char *name,
		  struct vt_pnm *pnm, struct vt_err *err);

/*
 * Decode the pixels into out, h * w * channels bytes (channels 1-4),
 * converted as stb_image converts.  Samples are taken as they are, not
 * scaled by the max value (stb's way); a 2-byte sample gives its high
 * byte (the file's first: netpbm is big-endian; stb takes the low one).
 * VT_EFORMAT when the data is cut short.
 */
int vt_pnm_decode(const uint8_t *p, size_t len, const char *name,
		  const struct vt_pnm *pnm, int channels, uint8_t *out,
		  struct vt_err *err);

#endif
