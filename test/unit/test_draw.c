/* test_draw.c - rectangles, the bitmap font and yolo-detect's --draw. */
#include <criterion/criterion.h>
#include <string.h>

#include "vt/darknet.h"
#include "vt/draw.h"

static struct vt_tensor canvas(int h, int w, int c)
{
	struct vt_tensor t;
	struct vt_err err = { 0 };

	cr_assert_eq(vt_tensor_init(&t, NULL, VT_U8, 3, (uint64_t[3]){
			(uint64_t)h, (uint64_t)w, (uint64_t)c }, &err), 0);
	return t;
}

static const uint8_t *px(const struct vt_tensor *t, int y, int x)
{
	return (const uint8_t *)t->data +
	       ((size_t)y * t->shape[1] + (size_t)x) * t->shape[2];
}

static bool is(const struct vt_tensor *t, int y, int x, const uint8_t *rgb)
{
	return memcmp(px(t, y, x), rgb, 3) == 0;
}

static const uint8_t red[3] = { 255, 0, 0 }, zero[3] = { 0, 0, 0 };

Test(draw, rect_outline_edges_and_clipping)
{
	struct vt_tensor t = canvas(20, 30, 3);

	vt_draw_rect(&t, 5, 4, 14, 12, 2, red);
	/* the outline: rows 4-5 and 11-12, columns 5-6 and 13-14 */
	for (int x = 5; x <= 14; x++)
		cr_assert(is(&t, 4, x, red) && is(&t, 5, x, red) &&
			  is(&t, 11, x, red) && is(&t, 12, x, red), "x %d", x);
	for (int y = 4; y <= 12; y++)
		cr_assert(is(&t, y, 5, red) && is(&t, y, 6, red) &&
			  is(&t, y, 13, red) && is(&t, y, 14, red), "y %d", y);
	/* inside and just outside untouched */
	cr_assert(is(&t, 6, 7, zero) && is(&t, 10, 12, zero));
	cr_assert(is(&t, 3, 5, zero) && is(&t, 13, 14, zero) &&
		  is(&t, 8, 4, zero) && is(&t, 8, 15, zero));
	/* far outside and crossing the border: clipped, no crash */
	vt_draw_rect(&t, -100, -100, 1000, 1000, 3, red);
	vt_draw_rect(&t, 40, 40, 50, 50, 1, red);
	cr_assert(is(&t, 19, 29, zero) && is(&t, 0, 0, zero));
	vt_draw_rect(&t, -5, -5, 2, 2, 1, red);
	cr_assert(is(&t, 2, 0, red) && is(&t, 0, 2, red) && is(&t, 1, 1, zero));
	vt_tensor_release(&t);
}

Test(draw, grey_and_alpha_images)
{
	struct vt_tensor g = canvas(4, 4, 1), a = canvas(4, 4, 4);
	const uint8_t green[3] = { 0, 255, 0 };

	vt_draw_fill(&g, 1, 1, 2, 2, green);
	cr_assert_eq(*px(&g, 1, 1), 150);       /* 0.587 * 255 = 149.7 */
	cr_assert_eq(*px(&g, 0, 0), 0);
	vt_draw_fill(&a, 0, 0, 0, 0, green);
	cr_assert(px(&a, 0, 0)[1] == 255 && px(&a, 0, 0)[3] == 255);
	cr_assert_eq(px(&a, 0, 1)[3], 0);
	vt_tensor_release(&g);
	vt_tensor_release(&a);
}

Test(draw, font_glyphs_and_text)
{
	struct vt_tensor t = canvas(20, 40, 3);
	const uint8_t *one = vt_font_glyph('1'), *q = vt_font_glyph('?');
	const uint8_t white[3] = { 255, 255, 255 };

	/* every printable character but the space has ink; others are '?' */
	for (int c = 33; c < 127; c++) {
		int ink = 0;

		for (int r = 0; r < VT_FONT_H; r++)
			ink |= vt_font_glyph(c)[r];
		cr_assert(ink && !(ink & ~0x1f), "'%c'", c);
	}
	cr_assert_eq(vt_font_glyph(7), q);
	cr_assert_eq(vt_font_glyph(200), q);
	cr_assert_eq(vt_draw_text_width("ab", 1), 11);
	cr_assert_eq(vt_draw_text_width("ab", 2), 22);
	cr_assert_eq(vt_draw_text_height(2), 14);
	/* "1" at (3, 2), scale 2: each font pixel a 2x2 block */
	vt_draw_text(&t, 3, 2, "1", 2, white);
	for (int r = 0; r < VT_FONT_H; r++)
		for (int c = 0; c < VT_FONT_W; c++) {
			bool on = one[r] & (0x10 >> c);

			for (int k = 0; k < 4; k++)
				cr_assert_eq(is(&t, 2 + 2 * r + k / 2,
						3 + 2 * c + k % 2, white), on,
					     "row %d col %d", r, c);
		}
	vt_tensor_release(&t);
}

Test(draw, class_colors_differ)
{
	uint8_t a[3], b[3];

	for (int i = 0; i < 80; i++) {
		vt_draw_class_color(i, a);
		vt_draw_class_color(i + 1, b);
		cr_assert(memcmp(a, b, 3) != 0, "%d", i);
		cr_assert(a[0] == 255 || a[1] == 255 || a[2] == 255);
	}
}

Test(draw, detections_box_edges_and_label)
{
	struct vt_tensor t = canvas(60, 80, 3);
	struct vt_dn_det d = { .box = { 20.3f, 30.0f, 50.0f, 55.9f },
			       .score = 0.8765f, .class_id = 1 };
	char *names[2] = { "cat", "dog" };
	uint8_t col[3];
	int lit = 0;

	vt_draw_class_color(1, col);
	vt_dn_draw(&t, &d, 1, names, 2);
	/* outline 1 pixel wide (min side 60 < 500): x 20..49, y 30..55 */
	cr_assert(is(&t, 45, 20, col) && is(&t, 45, 49, col));
	cr_assert(is(&t, 55, 30, col) && is(&t, 30, 40, col));
	cr_assert(is(&t, 45, 21, zero) && is(&t, 45, 48, zero) &&
		  is(&t, 45, 19, zero) && is(&t, 45, 50, zero) &&
		  is(&t, 54, 30, zero) && is(&t, 56, 30, zero));
	/* label bar "dog 0.88" above the box: 9 rows (7 + 1 padding each
	 * side), 8 characters * 6 - 1 + 2 wide, from x 20, y 21 */
	cr_assert(is(&t, 21, 20, col) && is(&t, 29, 68, col));
	cr_assert(is(&t, 20, 20, zero) && is(&t, 25, 69, zero));
	/* text pixels in the bar: ink that is not the bar's colour */
	for (int y = 22; y < 29; y++)
		for (int x = 21; x < 68; x++)
			lit += !is(&t, y, x, col);
	cr_assert_gt(lit, 40, "%d text pixels", lit);
	/* the text is "dog 0.88": the 'd' glyph at (21, 22) */
	for (int r = 0; r < VT_FONT_H; r++)
		for (int c = 0; c < VT_FONT_W; c++)
			cr_assert_eq(!is(&t, 22 + r, 21 + c, col),
				     (bool)(vt_font_glyph('d')[r] &
					    (0x10 >> c)), "%d %d", r, c);
	/* a box at the top gets its label inside; one far away is skipped */
	d.box[1] = 0;
	d.box[0] = 1e30f;
	vt_dn_draw(&t, &d, 1, NULL, 0);
	vt_tensor_release(&t);
}
