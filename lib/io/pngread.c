/* pngread.c - the common PNG on zlib: 8 bits per sample, grey, grey+alpha,
 * RGB or RGBA, not interlaced, only IHDR, IDAT, IEND and ancillary chunks.
 *
 * stb_image decodes everything else and is the reference: for these files
 * the pixels are fully determined by the format, so the two give the same
 * bytes, and anything this reader does not take as it expects (another
 * chunk, a bad filter byte, a zlib error, a checksum, data after the last
 * row, a missing IEND) makes it decline and the caller asks stb, whose
 * verdict then stands.  zlib's inflate is several times faster than
 * stb's, which took most of the time of reading a photo.
 *
 * Rows are inflated one at a time into two row buffers and converted
 * straight into the output: memory is two rows whatever the image.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "png.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The next chunk at *pos: its type and data, *pos moved past its CRC. */
static int next_chunk(const uint8_t *buf, size_t len, size_t *pos,
		      const uint8_t **type, const uint8_t **data, uint32_t *n)
{
	if (len - *pos < 12)
		return -1;
	*n = be32(buf + *pos);
	if (*n > len - *pos - 12)
		return -1;
	*type = buf + *pos + 4;
	*data = buf + *pos + 8;
	*pos += 12 + (size_t)*n;
	return 0;
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	if (pa <= pb && pa <= pc)
		return a;
	return pb <= pc ? b : c;
}

/* Undo row filter f of cur (n bytes, bpp per pixel) against prev. */
static int unfilter(uint8_t *cur, const uint8_t *prev, size_t n, int bpp,
		    int f)
{
	size_t i;

	switch (f) {
	case 0:
		break;
	case 1:
		for (i = (size_t)bpp; i < n; i++)
			cur[i] = (uint8_t)(cur[i] + cur[i - bpp]);
		break;
	case 2:
		for (i = 0; i < n; i++)
			cur[i] = (uint8_t)(cur[i] + prev[i]);
		break;
	case 3:
		for (i = 0; i < (size_t)bpp; i++)
			cur[i] = (uint8_t)(cur[i] + (prev[i] >> 1));
		for (; i < n; i++)
			cur[i] = (uint8_t)(cur[i] +
					   ((cur[i - bpp] + prev[i]) >> 1));
		break;
	case 4:
		for (i = 0; i < (size_t)bpp; i++)
			cur[i] = (uint8_t)(cur[i] + prev[i]);
		for (; i < n; i++)
			cur[i] = (uint8_t)(cur[i] + paeth(cur[i - bpp], prev[i],
							  prev[i - bpp]));
		break;
	default:
		return -1;
	}
	return 0;
}

/* One row of w pixels of nc samples into out with oc samples, as stb
 * converts: grey replicated, alpha dropped or 255 added. */
static void convert(uint8_t *out, const uint8_t *in, uint32_t w, int nc,
		    int oc)
{
	if (nc == oc) {
		memcpy(out, in, (size_t)w * (size_t)nc);
		return;
	}
	for (uint32_t x = 0; x < w; x++, in += nc, out += oc) {
		uint8_t r = in[0], g = nc >= 3 ? in[1] : in[0];
		uint8_t b = nc >= 3 ? in[2] : in[0];

		out[0] = r;
		out[1] = g;
		out[2] = b;
		if (oc == 4)
			out[3] = nc == 2 ? in[1] : 255;
	}
}

/* Point z at the data of the next chunk, which must be an IDAT. */
static int next_idat(const uint8_t *buf, size_t len, size_t *pos,
		     z_stream *z)
{
	const uint8_t *type, *cd;
	uint32_t n;

	if (next_chunk(buf, len, pos, &type, &cd, &n) ||
	    memcmp(type, "IDAT", 4) != 0)
		return -1;
	z->next_in = (Bytef *)(uintptr_t)cd;
	z->avail_in = n;
	return 0;
}

int vt_png_decode8(const void *data, size_t len, uint32_t w, uint32_t h,
		   int channels, uint8_t *out)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
					'\n' };
	static const int nc_of[7] = { 1, 0, 3, 0, 2, 0, 4 };
	const uint8_t *buf = data, *type, *cd;
	size_t pos = 8, rowb;
	uint32_t n, y = 0;
	uint8_t *rows, *prev, *cur, extra;
	z_stream z;
	int nc, zrc, rc = -1;

	if (len < 8 || memcmp(buf, sig, 8) != 0 ||
	    next_chunk(buf, len, &pos, &type, &cd, &n) ||
	    memcmp(type, "IHDR", 4) != 0 || n != 13 || be32(cd) != w ||
	    be32(cd + 4) != h || w == 0 || h == 0 || cd[8] != 8 ||
	    cd[9] > 6 || !(nc = nc_of[cd[9]]) || cd[10] || cd[11] || cd[12])
		return -1;
	/* the conversions done here: to 3 or 4 channels, or none */
	if (channels != nc && channels < 3)
		return -1;
	if ((size_t)w > (SIZE_MAX / 4 - 2) / (size_t)nc)
		return -1;
	rowb = (size_t)w * (size_t)nc;
	/* up to the first IDAT: ancillary chunks only, tRNS aside (stb makes
	 * an alpha channel of it) */
	for (;;) {
		if (next_chunk(buf, len, &pos, &type, &cd, &n))
			return -1;
		if (memcmp(type, "IDAT", 4) == 0)
			break;
		if (!(type[0] & 32) || memcmp(type, "tRNS", 4) == 0)
			return -1;
	}
	rows = calloc(2, rowb + 1);
	if (!rows)
		return -1;
	prev = rows;
	cur = rows + rowb + 1;
	memset(&z, 0, sizeof z);
	if (inflateInit(&z) != Z_OK) {
		free(rows);
		return -1;
	}
	z.next_in = (Bytef *)(uintptr_t)cd;
	z.avail_in = n;
	while (y < h) {
		if (z.avail_in == 0) {
			if (next_idat(buf, len, &pos, &z))
				goto out;
			continue;
		}
		if (z.next_out == NULL) {
			z.next_out = cur;
			z.avail_out = (uInt)(rowb + 1);
		}
		zrc = inflate(&z, Z_NO_FLUSH);
		if (zrc != Z_OK && !(zrc == Z_STREAM_END && z.avail_out == 0 &&
				     y + 1 == h))
			goto out;
		if (z.avail_out == 0) {
			uint8_t *t;

			if (unfilter(cur + 1, prev + 1, rowb, nc, cur[0]))
				goto out;
			convert(out + (size_t)y * w * (size_t)channels, cur + 1,
				w, nc, channels);
			t = prev;
			prev = cur;
			cur = t;
			z.next_out = NULL;
			y++;
		}
	}
	/* the stream must end right after the last row (its checksum may be
	 * in a later IDAT) and use all the IDAT data */
	for (;;) {
		z.next_out = &extra;
		z.avail_out = 1;
		zrc = inflate(&z, Z_NO_FLUSH);
		if (z.avail_out == 0 || (zrc != Z_OK && zrc != Z_STREAM_END &&
					 zrc != Z_BUF_ERROR))
			goto out;
		if (zrc == Z_STREAM_END)
			break;
		if (z.avail_in != 0 || next_idat(buf, len, &pos, &z))
			goto out;
	}
	if (z.avail_in != 0)
		goto out;
	/* then only ancillary chunks up to IEND */
	for (;;) {
		if (next_chunk(buf, len, &pos, &type, &cd, &n))
			goto out;
		if (memcmp(type, "IEND", 4) == 0)
			break;
		if (!(type[0] & 32))
			goto out;
	}
	rc = 0;
out:
	inflateEnd(&z);
	free(rows);
	return rc;
}
