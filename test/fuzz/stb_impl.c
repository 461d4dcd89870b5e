/* stb_impl.c - stb's image reader and writer compiled into the fuzzers.
 *
 * libvt links Debian's libstb; the fuzz targets build the same code from its
 * headers instead, with coverage and sanitizers, so the decoders themselves
 * are fuzzed, not just vt's checks around them.
 */
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
