/* pnm.c - binary PGM and PPM read by vt, not by stb_image: Debian's stb
 * takes a 16-bit sample's low byte, and converting a 16-bit file to another
 * channel count reads past its buffer (fixed upstream in 2.28).  The header
 * is read as stb reads it, so the two agree on every 8-bit file. */
#include <limits.h>
#include <string.h>

#include "pnm.h"
#include "stbread.h"

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/* Whitespace and '#' comments (to the end of the line); *c is the byte
 * last read, as in stb. */
static void skip_space(struct stb_walk *k, int *c)
{
	for (;;) {
		while (!stb_at_eof(k) && is_space(*c))
			*c = (int)stb_get8(k);
		if (stb_at_eof(k) || *c != '#')
			return;
		while (!stb_at_eof(k) && *c != '\n' && *c != '\r')
			*c = (int)stb_get8(k);
	}
}

/* A decimal number; -1 above INT_MAX. */
static long number(struct stb_walk *k, int *c)
{
	long v = 0;

	while (!stb_at_eof(k) && *c >= '0' && *c <= '9') {
		v = v * 10 + (*c - '0');
		if (v > INT_MAX)
			return -1;
		*c = (int)stb_get8(k);
	}
	return v;
}

int vt_pnm_header(const uint8_t *p, size_t len, const char *name,
		  struct vt_pnm *pnm, struct vt_err *err)
{
	struct stb_walk k = { p, len, 2 };
	long v[3];
	int c;

	if (len < 2 || p[0] != 'P' || (p[1] != '5' && p[1] != '6'))
		return 0;
	c = (int)stb_get8(&k);
	for (int i = 0; i < 3; i++) {
		skip_space(&k, &c);
		v[i] = number(&k, &c);
		if (v[i] < 0)
			return vt_err_set(err, VT_EFORMAT, "'%s': corrupt "
					  "PNM: a header number above %d",
					  name, INT_MAX);
	}
	if (v[2] == 0 || v[2] > 65535)
		return vt_err_set(err, VT_EFORMAT, "'%s': corrupt PNM: max "
				  "value %ld, expected 1 to 65535", name, v[2]);
	pnm->w = (uint32_t)v[0];
	pnm->h = (uint32_t)v[1];
	pnm->nc = p[1] == '6' ? 3 : 1;
	pnm->bytes = v[2] > 255 ? 2 : 1;
	pnm->data = k.pos;
	return 1;
}

static uint8_t luma(const uint8_t *s)
{
	return (uint8_t)((s[0] * 77 + s[1] * 150 + s[2] * 29) >> 8);
}

int vt_pnm_decode(const uint8_t *p, size_t len, const char *name,
		  const struct vt_pnm *pnm, int channels, uint8_t *out,
		  struct vt_err *err)
{
	size_t n = (size_t)pnm->w * pnm->h, step = (size_t)pnm->bytes;
	size_t need = n * (size_t)pnm->nc * step;
	const uint8_t *s = p + pnm->data;
	uint8_t px[3];

	if (pnm->data > len || len - pnm->data < need)
		return vt_err_set(err, VT_EFORMAT, "'%s': corrupt PNM: the "
				  "pixel data is cut short (%zu bytes, %zu "
				  "expected)", name,
				  pnm->data > len ? 0 : len - pnm->data, need);
	if (channels == pnm->nc && step == 1) {
		memcpy(out, s, need);
		return 0;
	}
	for (size_t i = 0; i < n; i++, out += channels) {
		/* the high byte comes first */
		for (int c = 0; c < pnm->nc; c++, s += step)
			px[c] = s[0];
		if (pnm->nc == 1)
			px[1] = px[2] = px[0];
		switch (channels) {
		case 1:
			out[0] = pnm->nc == 1 ? px[0] : luma(px);
			break;
		case 2:
			out[0] = pnm->nc == 1 ? px[0] : luma(px);
			out[1] = 255;
			break;
		default:
			memcpy(out, px, 3);
			if (channels == 4)
				out[3] = 255;
		}
	}
	return 0;
}
