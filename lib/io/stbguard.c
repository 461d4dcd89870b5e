/* stbguard.c - the known defects of Debian's stb_image, caught before it
 * decodes (see stbguard.h).
 *
 * Each check walks the file the way stb_image reads it: a byte read past
 * the end is 0, a skip may run past the end, and stb's own errors end the
 * walk (stb then refuses the file itself).  So the walk reaches every
 * marker or scanline stb would act on, and the only files refused here are
 * those stb would mishandle.  Where stb scans entropy-coded data the walk
 * goes to the next marker (0xFF not followed by 0x00, a fill 0xFF or a
 * restart marker): stb either acts on that same marker or fails earlier.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stbguard.h"
#include "stbread.h"

/* ---- JPEG ---- */

#define M_NONE 0xff   /* stb's "no marker" */

struct jpeg {
	struct stb_walk w;
	unsigned marker;         /* the marker stb holds back, or M_NONE */
	bool huff[2][4];         /* [DC/AC][table] defined by a DHT */
	bool quant[4];           /* defined by a DQT */
	int ncomp;
	unsigned comp_id[4], comp_tq[4];
	bool zeroed[4];          /* the component was in a scan, or a
				    progressive DC first scan */
	bool progressive;
	const char *name;
	struct vt_err *err;
};

/* stb's stbi__get_marker. */
static unsigned get_marker(struct jpeg *j)
{
	unsigned x;

	if (j->marker != M_NONE) {
		x = j->marker;
		j->marker = M_NONE;
		return x;
	}
	x = stb_get8(&j->w);
	if (x != 0xff)
		return M_NONE;
	while (x == 0xff)
		x = stb_get8(&j->w);
	return x;
}

/* "'NAME': corrupt JPEG: " and what (which ends in a number). */
static int corrupt(struct jpeg *j, const char *what, unsigned n)
{
	return vt_err_set(j->err, VT_EFORMAT, "'%s': corrupt JPEG: %s %u",
			  j->name, what, n);
}

/* DHT, as stbi__process_marker reads it.  1 on, 0 where stb stops, or
 * VT_EFORMAT. */
static int jpeg_dht(struct jpeg *j)
{
	int left = (int)stb_get16(&j->w) - 2;

	while (left > 0) {
		unsigned q = stb_get8(&j->w), tc = q >> 4, th = q & 15;
		unsigned count[16], n = 0, code = 0;

		if (tc > 1 || th > 3)
			return 0;
		for (int i = 0; i < 16; i++) {
			count[i] = stb_get8(&j->w);
			n += count[i];
		}
		if (n > 256)
			return corrupt(j, "a Huffman table has more than 256 "
				       "codes:", n);
		/* stbi__build_huffman's check of the code lengths */
		for (unsigned len = 1; len <= 16; len++) {
			code += count[len - 1];
			if (count[len - 1] && code - 1 >= 1u << len)
				return 0;
			code <<= 1;
		}
		stb_skip(&j->w, n);
		j->huff[tc][th] = true;
		left -= 17 + (int)n;
	}
	return left == 0;
}

/* The markers stbi__process_marker takes: 1 on, 0 where stb stops, or
 * VT_EFORMAT. */
static int jpeg_marker(struct jpeg *j, unsigned m)
{
	int left;

	switch (m) {
	case 0xdd:   /* DRI */
		if (stb_get16(&j->w) != 4)
			return 0;
		stb_skip(&j->w, 2);
		return 1;
	case 0xdb:   /* DQT */
		left = (int)stb_get16(&j->w) - 2;
		while (left > 0) {
			unsigned q = stb_get8(&j->w), p = q >> 4, t = q & 15;

			if (p > 1 || t > 3)
				return 0;
			stb_skip(&j->w, p ? 128 : 64);
			j->quant[t] = true;
			left -= p ? 129 : 65;
		}
		return left == 0;
	case 0xc4:
		return jpeg_dht(j);
	}
	if ((m >= 0xe0 && m <= 0xef) || m == 0xfe) {
		left = (int)stb_get16(&j->w);
		if (left < 2)
			return 0;
		stb_skip(&j->w, (size_t)left - 2);
		return 1;
	}
	return 0;
}

/* SOS: the scan header, then the tables it needs.  1 on, 0, VT_EFORMAT. */
static int jpeg_scan(struct jpeg *j)
{
	unsigned ls = stb_get16(&j->w), n = stb_get8(&j->w), ss, se, a;
	unsigned which[4], hd[4], ha[4];

	if (n < 1 || n > 4 || (int)n > j->ncomp || ls != 6 + 2 * n)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned id = stb_get8(&j->w), q = stb_get8(&j->w);

		for (which[i] = 0; (int)which[i] < j->ncomp; which[i]++)
			if (j->comp_id[which[i]] == id)
				break;
		if ((int)which[i] == j->ncomp)
			return 0;
		hd[i] = q >> 4;
		ha[i] = q & 15;
		if (hd[i] > 3 || ha[i] > 3)
			return 0;
	}
	ss = stb_get8(&j->w);
	se = stb_get8(&j->w);
	a = stb_get8(&j->w);
	if (j->progressive ? ss > 63 || se > 63 || ss > se || a >> 4 > 13 ||
			     (a & 15) > 13
			   : ss != 0 || a != 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		/* a progressive scan codes DC (first pass only) or AC */
		bool dc = !j->progressive || (ss == 0 && a >> 4 == 0);
		bool ac = !j->progressive || ss > 0;
		unsigned tq = j->comp_tq[which[i]];

		if (dc && !j->huff[0][hd[i]])
			return corrupt(j, "a scan uses an undefined DC Huffman "
				       "table:", hd[i]);
		if (ac && !j->huff[1][ha[i]])
			return corrupt(j, "a scan uses an undefined AC Huffman "
				       "table:", ha[i]);
		if (tq > 3 || !j->quant[tq])
			return corrupt(j, "a scan uses an undefined "
				       "quantization table:", tq);
		/* stb zeroes a block's coefficients in the (first) DC scan
		 * and nowhere else */
		if (!dc && !j->zeroed[which[i]])
			return corrupt(j, "a refining or AC scan comes before "
				       "the first DC scan of component",
				       j->comp_id[which[i]]);
		j->zeroed[which[i]] = true;
	}
	return 1;
}

/* From after SOS to the marker that ends the entropy-coded data, or
 * M_NONE at the end of the file. */
static unsigned jpeg_data_end(struct jpeg *j)
{
	struct stb_walk *w = &j->w;

	for (;;) {
		const uint8_t *ff = w->pos < w->len
			? memchr(w->p + w->pos, 0xff, w->len - w->pos) : NULL;
		unsigned b;

		if (!ff)
			return M_NONE;
		w->pos = (size_t)(ff - w->p) + 1;
		while (w->pos < w->len && w->p[w->pos] == 0xff)
			w->pos++;
		if (w->pos >= w->len)
			return M_NONE;
		b = w->p[w->pos++];
		if (b != 0 && (b < 0xd0 || b > 0xd7))
			return b;
	}
}

static int jpeg_check(struct jpeg *j)
{
	unsigned m = get_marker(j);
	int rc;

	if (m != 0xd8)
		return 0;   /* not a JPEG to stb */
	/* stbi__decode_jpeg_header: markers up to the frame header, bytes
	 * between them skipped */
	m = get_marker(j);
	while (m != 0xc0 && m != 0xc1 && m != 0xc2) {
		rc = jpeg_marker(j, m);
		if (rc <= 0)
			return rc;
		m = get_marker(j);
		while (m == M_NONE) {
			if (stb_at_eof(&j->w))
				return 0;
			m = get_marker(j);
		}
	}
	j->progressive = m == 0xc2;
	stb_skip(&j->w, 2 + 1 + 2 + 2);   /* Lf, P, Y, X */
	j->ncomp = (int)stb_get8(&j->w);
	if (j->ncomp != 1 && j->ncomp != 3 && j->ncomp != 4)
		return 0;
	for (int i = 0; i < j->ncomp; i++) {
		j->comp_id[i] = stb_get8(&j->w);
		stb_skip(&j->w, 1);
		j->comp_tq[i] = stb_get8(&j->w);
	}
	/* stbi__decode_jpeg_image: scans and markers up to EOI */
	m = get_marker(j);
	while (m != 0xd9) {
		if (m == 0xda) {
			rc = jpeg_scan(j);
			if (rc <= 0)
				return rc;
			m = jpeg_data_end(j);
			if (m == M_NONE)
				return 0;
			continue;
		}
		if (m == 0xdc) {   /* DNL */
			stb_skip(&j->w, 4);
		} else {
			rc = jpeg_marker(j, m);
			if (rc <= 0)
				return rc;
		}
		m = get_marker(j);
	}
	/* EOI: stb hands out every component, scanned or not */
	for (int i = 0; i < j->ncomp; i++)
		if (!j->zeroed[i])
			return corrupt(j, "no scan codes component",
				       j->comp_id[i]);
	return 0;
}

/* ---- Radiance HDR ---- */

#define HDR_LINE 1024   /* stb's STBI__HDR_BUFLEN */

/* stbi__hdr_gettoken. */
static void hdr_line(struct stb_walk *w, char *buf)
{
	size_t n = 0;
	char c = (char)stb_get8(w);

	while (!stb_at_eof(w) && c != '\n') {
		buf[n++] = c;
		if (n == HDR_LINE - 1) {
			while (!stb_at_eof(w) && stb_get8(w) != '\n')
				;
			break;
		}
		c = (char)stb_get8(w);
	}
	buf[n] = 0;
}

static int hdr_cut(const char *name, struct vt_err *err)
{
	return vt_err_set(err, VT_EFORMAT, "'%s': corrupt HDR: the pixel data "
			  "is cut short", name);
}

static int hdr_check(struct stb_walk *w, const char *name, struct vt_err *err)
{
	char buf[HDR_LINE], *s;
	bool valid = false;
	long wd, ht;
	uint64_t flat;

	hdr_line(w, buf);
	if (strcmp(buf, "#?RADIANCE") != 0 && strcmp(buf, "#?RGBE") != 0)
		return 0;
	for (hdr_line(w, buf); buf[0]; hdr_line(w, buf))
		if (strcmp(buf, "FORMAT=32-bit_rle_rgbe") == 0)
			valid = true;
	hdr_line(w, buf);
	if (!valid || strncmp(buf, "-Y ", 3) != 0)
		return 0;
	ht = strtol(buf + 3, &s, 10);
	while (*s == ' ')
		s++;
	if (strncmp(s, "+X ", 3) != 0)
		return 0;
	wd = strtol(s + 3, NULL, 10);
	/* stb takes them as int; vt refuses what is not 1..2^24 before
	 * decoding (stb's STBI_MAX_DIMENSIONS, and the image limits) */
	if (wd <= 0 || ht <= 0 || wd > 1 << 24 || ht > 1 << 24)
		return 0;
	flat = (uint64_t)wd * (uint64_t)ht * 4;
	if (wd < 8 || wd >= 32768)
		return w->len - w->pos < flat ? hdr_cut(name, err) : 0;
	for (long y = 0; y < ht; y++) {
		unsigned c1 = stb_get8(w), c2 = stb_get8(w), n = stb_get8(w);

		if (c1 != 2 || c2 != 2 || (n & 0x80)) {
			/* not run-length coded: stb reads the whole image
			 * flat from here on, these 4 bytes its first pixel */
			stb_skip(w, 1);
			return w->len - w->pos < flat - 4 ? hdr_cut(name, err)
							  : 0;
		}
		if ((n << 8 | stb_get8(w)) != (unsigned long)wd)
			return 0;
		for (int k = 0; k < 4; k++)
			for (long x = 0; x < wd;) {
				unsigned count;
				bool run;

				if (stb_at_eof(w))
					return hdr_cut(name, err);
				count = stb_get8(w);
				run = count > 128;
				if (run) {
					stb_skip(w, 1);   /* the value */
					count -= 128;
				} else if (count == 0) {
					return vt_err_set(err, VT_EFORMAT,
						"'%s': corrupt HDR: a run of "
						"length 0", name);
				}
				if ((long)count > wd - x)
					return 0;
				if (!run) {   /* count bytes as they are */
					if (w->len - w->pos < count)
						return hdr_cut(name, err);
					stb_skip(w, count);
				}
				x += count;
			}
	}
	return 0;
}

int vt_stb_guard(const uint8_t *p, size_t len, const char *name,
		 struct vt_err *err)
{
	struct jpeg j = { .w = { p, len, 0 }, .marker = M_NONE, .name = name,
			  .err = err };
	struct stb_walk w = { p, len, 0 };

	if (len >= 1 && p[0] == 0xff)
		return jpeg_check(&j);
	if (len >= 2 && p[0] == '#' && p[1] == '?')
		return hdr_check(&w, name, err);
	return 0;
}
