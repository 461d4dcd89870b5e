/* stbread.h - a reader with stb_image's semantics for in-memory files, for
 * the code that must read a file exactly as stb does (stbguard.c, pnm.c):
 * a byte read past the end is 0 and does not advance, a skip may run to
 * the end.  Private to io. */
#ifndef VT_IO_STBREAD_H
#define VT_IO_STBREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stb_walk {
	const uint8_t *p;
	size_t len, pos;   /* pos <= len always */
};

static inline unsigned stb_get8(struct stb_walk *w)
{
	return w->pos < w->len ? w->p[w->pos++] : 0;
}

static inline unsigned stb_get16(struct stb_walk *w)
{
	unsigned hi = stb_get8(w);

	return hi << 8 | stb_get8(w);
}

static inline bool stb_at_eof(const struct stb_walk *w)
{
	return w->pos >= w->len;
}

static inline void stb_skip(struct stb_walk *w, size_t n)
{
	w->pos = n > w->len - w->pos ? w->len : w->pos + n;
}

#endif
