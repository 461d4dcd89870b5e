/* vt/draw.h - drawing on U8 images [H,W,C]: filled rectangles, rectangle
 * outlines and text in a built-in 5x7 bitmap font.
 *
 * Coordinates are pixel indices (x to the right, y down), corners
 * inclusive; everything is clipped to the image, so any coordinates are
 * safe.  Colours are RGB; a grey image (C = 1 or 2) gets the colour's luma
 * (0.299 R + 0.587 G + 0.114 B, rounded) and an alpha channel (C = 2 or 4)
 * is set to 255 where something is drawn.
 */
#ifndef VT_DRAW_H
#define VT_DRAW_H

#include <stdint.h>

#include "vt/tensor.h"

#define VT_FONT_W 5                 /* glyph columns */
#define VT_FONT_H 7                 /* glyph rows */
#define VT_FONT_ADVANCE 6           /* columns from one glyph to the next */

/* The glyph of byte ch: VT_FONT_H rows, bit 4 the leftmost column.  The
 * printable ASCII characters 32-126 have their own glyph; any other byte
 * gets '?'. */
const uint8_t *vt_font_glyph(int ch);

/* Fill the rectangle [x1, x2] x [y1, y2]. */
void vt_draw_fill(struct vt_tensor *img, int x1, int y1, int x2, int y2,
		  const uint8_t rgb[3]);
/* The outline of [x1, x2] x [y1, y2], `thickness` pixels wide inwards. */
void vt_draw_rect(struct vt_tensor *img, int x1, int y1, int x2, int y2,
		  int thickness, const uint8_t rgb[3]);
/* Text with its top-left corner at (x, y), each font pixel a scale x scale
 * square (scale >= 1). */
void vt_draw_text(struct vt_tensor *img, int x, int y, const char *s,
		  int scale, const uint8_t rgb[3]);
/* Width and height in pixels of s drawn at scale (0 x 0 for ""). */
int vt_draw_text_width(const char *s, int scale);
int vt_draw_text_height(int scale);

/* A colour for class i: hues spread by the golden ratio, so neighbouring
 * classes differ, at full saturation and value. */
void vt_draw_class_color(int i, uint8_t rgb[3]);

#endif
