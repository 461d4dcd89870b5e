/* stbguard.h - refuse, before stb_image sees them, the files on which
 * Debian's stb_image (git 2022-09-08) overruns memory, reads memory it never
 * wrote, or loops forever (private to io; the unit tests include it too). */
#ifndef VT_IO_STBGUARD_H
#define VT_IO_STBGUARD_H

#include <stddef.h>
#include <stdint.h>

#include "vt/err.h"

/*
 * Check the len bytes at p, the whole file `name`, before any stb_image call
 * on them.  JPEG: a Huffman table of more than 256 codes (stb writes past
 * its tables: upstream fixed this in 2.28, Debian has not), a scan that
 * uses a Huffman table, or a component whose quantisation table, no marker
 * defined (stb reads uninitialised memory).  Radiance HDR: a run-length
 * scanline with a run of 0 or cut short (stb loops forever), flat pixel
 * data cut short (stb hands out uninitialised memory).  Returns 0 (also for
 * any other format, and for files stb refuses by itself) or VT_EFORMAT
 * with "'NAME': corrupt JPEG: ..." or "'NAME': corrupt HDR: ...".
 */
int vt_stb_guard(const uint8_t *p, size_t len, const char *name,
		 struct vt_err *err);

#endif
