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
 * The IDAT data is inflated whole by libdeflate (about twice as fast as
 * zlib) and the rows unfiltered in that buffer.  Images over WHOLE_MAX,
 * and any file that fails that way, are inflated a row at a time by zlib
 * into two row buffers and converted straight into the output, which then
 * decides: memory is two rows whatever the image, and the two ways take
 * the same files and give the same bytes.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "png.h"

/* Bytes readable after the end of any row given to unfilter(). */
#define ROW_SLACK 4
/* Images whose filtered rows take more are inflated a row at a time. */
#define WHOLE_MAX ((size_t)64 << 20)
/* The ways decode8 may take (both: whole first, up to WHOLE_MAX). */
#define WAY_WHOLE 1
#define WAY_ROWS 2

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

#ifdef __SSE2__
/* Sub, Average and Paeth, whose every pixel needs the one before it, a
 * pixel of 3 or 4 bytes at a time in the lanes of one register; the same
 * bytes as the loops below. */
/* Four bytes (the buffers have ROW_SLACK readable bytes after each row;
 * a fourth byte of a 3-byte pixel only rides along in its lane). */
static __m128i load_px(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return _mm_cvtsi32_si128((int)v);
}

static void store_px(uint8_t *p, __m128i x, int bpp)
{
	uint32_t v = (uint32_t)_mm_cvtsi128_si32(x);

	memcpy(p, &v, (size_t)bpp);
}

static void unfilter_px(uint8_t *cur, const uint8_t *prev, size_t n, int bpp,
			int f)
{
	const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi8(1);
	__m128i a = zero, c = zero;   /* left and up-left, bytes */

	for (size_t i = 0; i + (size_t)bpp <= n; i += (size_t)bpp) {
		__m128i x = load_px(cur + i), b = load_px(prev + i);

		if (f == 1) {
			x = _mm_add_epi8(x, a);
		} else if (f == 3) {
			/* floor((a + b) / 2): the rounding-up mean less
			 * the odd bit */
			__m128i m = _mm_sub_epi8(_mm_avg_epu8(a, b),
						 _mm_and_si128(_mm_xor_si128(a, b),
							       one));

			x = _mm_add_epi8(x, m);
		} else {
			__m128i a16 = _mm_unpacklo_epi8(a, zero);
			__m128i b16 = _mm_unpacklo_epi8(b, zero);
			__m128i c16 = _mm_unpacklo_epi8(c, zero);
			__m128i da = _mm_sub_epi16(b16, c16);   /* p - a */
			__m128i db = _mm_sub_epi16(a16, c16);   /* p - b */
			__m128i dc = _mm_add_epi16(da, db);     /* p - c */
			__m128i pa = _mm_max_epi16(da, _mm_sub_epi16(zero, da));
			__m128i pb = _mm_max_epi16(db, _mm_sub_epi16(zero, db));
			__m128i pc = _mm_max_epi16(dc, _mm_sub_epi16(zero, dc));
			/* a unless b is nearer; then c if nearer still */
			__m128i m1 = _mm_cmpgt_epi16(pa, pb);
			__m128i v = _mm_or_si128(_mm_and_si128(m1, b16),
						 _mm_andnot_si128(m1, a16));
			__m128i m2 = _mm_cmpgt_epi16(_mm_min_epi16(pa, pb), pc);

			v = _mm_or_si128(_mm_and_si128(m2, c16),
					 _mm_andnot_si128(m2, v));
			x = _mm_add_epi8(x, _mm_packus_epi16(v, v));
		}
		store_px(cur + i, x, bpp);
		a = x;
		c = b;
	}
}
#endif

/* Undo row filter f of cur (n bytes, bpp per pixel) against prev. */
static int unfilter(uint8_t *cur, const uint8_t *prev, size_t n, int bpp,
		    int f)
{
	size_t i;

#ifdef __SSE2__
	if ((bpp == 3 || bpp == 4) && (f == 1 || f == 3 || f == 4)) {
		unfilter_px(cur, prev, n, bpp, f);
		return 0;
	}
#endif
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

/* After the last IDAT (at pos): only ancillary chunks up to IEND. */
static int check_tail(const uint8_t *buf, size_t len, size_t pos)
{
	const uint8_t *type, *cd;
	uint32_t n;

	for (;;) {
		if (next_chunk(buf, len, &pos, &type, &cd, &n))
			return -1;
		if (memcmp(type, "IEND", 4) == 0)
			return 0;
		if (!(type[0] & 32))
			return -1;
	}
}

/* The image whole: the IDAT chunks from pos (the first's data at cd, n
 * bytes) gathered and inflated by libdeflate, the rows unfiltered in
 * place.  -1 for anything unexpected. */
static int decode_whole(const uint8_t *buf, size_t len, size_t pos,
			const uint8_t *cd, uint32_t n, uint32_t w, uint32_t h,
			int nc, int channels, uint8_t *out)
{
	struct libdeflate_decompressor *d = NULL;
	size_t rowb = (size_t)w * (size_t)nc, total = n, end = pos, got_in,
	       got_out, need;
	const uint8_t *type, *cd2;
	uint8_t *z = NULL, *f = NULL, *zero = NULL;
	uint32_t n2;
	int rc = -1;

	/* the IDAT run: its size, and where it ends */
	for (size_t p = end; next_chunk(buf, len, &p, &type, &cd2, &n2) == 0 &&
			     memcmp(type, "IDAT", 4) == 0; end = p)
		total += n2;
	if (h > SIZE_MAX / (rowb + 1))
		return -1;
	need = (size_t)h * (rowb + 1);
	/* one IDAT is inflated where it lies; several are gathered first */
	z = total > n ? malloc(total) : NULL;
	f = malloc(need + ROW_SLACK);
	zero = calloc(1, rowb + 1 + ROW_SLACK);
	d = libdeflate_alloc_decompressor();
	if ((total > n && !z) || !f || !zero || !d)
		goto out;
	if (z) {
		memcpy(z, cd, n);
		for (size_t at = n, p = pos; at < total; at += n2) {
			if (next_chunk(buf, len, &p, &type, &cd2, &n2))
				goto out;
			memcpy(z + at, cd2, n2);
		}
	}
	if (libdeflate_zlib_decompress_ex(d, z ? z : cd, total, f, need, &got_in,
					  &got_out) != LIBDEFLATE_SUCCESS ||
	    got_in != total || got_out != need)
		goto out;
	for (uint32_t y = 0; y < h; y++) {
		uint8_t *cur = f + (size_t)y * (rowb + 1);
		const uint8_t *prev = y ? cur - (rowb + 1) : zero;

		if (unfilter(cur + 1, prev + 1, rowb, nc, cur[0]))
			goto out;
		convert(out + (size_t)y * w * (size_t)channels, cur + 1, w, nc,
			channels);
	}
	rc = check_tail(buf, len, end);
out:
	libdeflate_free_decompressor(d);
	free(zero);
	free(f);
	free(z);
	return rc;
}

static int decode8(const void *data, size_t len, uint32_t w, uint32_t h,
		   int channels, uint8_t *out, int ways)
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
	if ((ways & WAY_WHOLE) && (!(ways & WAY_ROWS) ||
				   h <= WHOLE_MAX / (rowb + 1)) &&
	    decode_whole(buf, len, pos, cd, n, w, h, nc, channels, out) == 0)
		return 0;
	if (!(ways & WAY_ROWS))
		return -1;
	rows = calloc(1, 2 * (rowb + 1) + ROW_SLACK);
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
	rc = check_tail(buf, len, pos);
out:
	inflateEnd(&z);
	free(rows);
	return rc;
}

int vt_png_decode8(const void *data, size_t len, uint32_t w, uint32_t h,
		   int channels, uint8_t *out)
{
	return decode8(data, len, w, h, channels, out, WAY_WHOLE | WAY_ROWS);
}

int vt_png_decode8_whole(const void *data, size_t len, uint32_t w,
			 uint32_t h, int channels, uint8_t *out)
{
	return decode8(data, len, w, h, channels, out, WAY_WHOLE);
}

int vt_png_decode8_rows(const void *data, size_t len, uint32_t w, uint32_t h,
			int channels, uint8_t *out)
{
	return decode8(data, len, w, h, channels, out, WAY_ROWS);
}
