/* prep.c - network input from an image: darknet's letterbox and the
 * OpenCV-style stretch.
 *
 * Letterbox (pjreddie's test path): x = (float)(u / 255.0) per sample;
 * integer new sizes; bilinear resize with align-corners sampling
 * sx = c * ((float)(W-1)/(w-1)), a horizontal pass into a buffer first, then
 * a vertical one that stores (1-dy)*a and then adds dy*b (the last row and
 * column copy the source's); 0.5 fill; pasted at ((nw-new_w)/2,
 * (nh-new_h)/2).
 *
 * Stretch: cv::resize INTER_LINEAR on the 8-bit image (half-pixel centres,
 * 11-bit fixed-point coefficients, rounded to 8 bits) to the full network
 * size, then / 255: what blobFromImage(img, 1/255, size, swapRB, crop=false)
 * gives.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vt/darknet.h"

void vt_dn_letterbox_dims(int w, int h, int nw, int nh, int *new_w,
			  int *new_h)
{
	if ((float)nw / (float)w < (float)nh / (float)h) {
		*new_w = nw;
		*new_h = (int)((long)h * nw / w);
	} else {
		*new_h = nh;
		*new_w = (int)((long)w * nh / h);
	}
	if (*new_w < 1)
		*new_w = 1;
	if (*new_h < 1)
		*new_h = 1;
}

size_t vt_dn_resize_tmp_n(int w, int h, int nw, int nh)
{
	/* letterbox: source as float (3*w*h) + horizontal pass (3*new_w*h);
	 * stretch: two int rows of 3*nw plus offsets, smaller than that */
	(void)nh;
	return 3 * (size_t)w * (size_t)h + 3 * (size_t)nw * (size_t)h +
	       8 * (size_t)nw + 8;
}

/* pjreddie's resize_image of planes in (c, h, w) into out (c, rh, rw) at
 * rows/cols offset inside a (c, oh, ow) image; part: 3*rw*h floats, then
 * room for 2*rw more (each column's source column and weight, the same
 * for every row). */
static void dn_resize(float *out, int ow, int oh, int ox, int oy,
		      const float *in, int w, int h, int rw, int rh,
		      float *part)
{
	float ws = rw > 1 ? (float)(w - 1) / (float)(rw - 1) : 0.0f;
	float hs = rh > 1 ? (float)(h - 1) / (float)(rh - 1) : 0.0f;
	float *cdx = part + 3 * (size_t)rw * h;
	int *cix = (int *)(void *)(cdx + rw);
	int last = w == 1 ? 0 : rw - 1;   /* columns from here copy row[w-1] */

	for (int c = 0; c < last; c++) {
		float sx = (float)c * ws;

		cix[c] = (int)sx;
		cdx[c] = sx - (float)cix[c];
	}
	for (int k = 0; k < 3; k++)
		for (int r = 0; r < h; r++) {
			const float *row = in + ((size_t)k * h + r) * w;
			float *pr = part + ((size_t)k * h + r) * rw;

			for (int c = 0; c < last; c++) {
				float dx = cdx[c];
				int ix = cix[c];

				pr[c] = (1 - dx) * row[ix] + dx * row[ix + 1];
			}
			for (int c = last; c < rw; c++)
				pr[c] = row[w - 1];
		}
	for (int k = 0; k < 3; k++)
		for (int r = 0; r < rh; r++) {
			float sy = (float)r * hs;
			int iy = (int)sy;
			float dy = sy - (float)iy;
			float *dst = out + ((size_t)k * oh + oy + r) * ow + ox;
			const float *p0 = part + ((size_t)k * h + iy) * rw;

			for (int c = 0; c < rw; c++)
				dst[c] = (1 - dy) * p0[c];
			if (r == rh - 1 || h == 1)
				continue;
			for (int c = 0; c < rw; c++) {
				float add = dy * p0[rw + c];

				dst[c] += add;
			}
		}
}

/* OpenCV's INTER_LINEAR on 8 bits, one channel k of img into out (nh, nw). */
static void cv_resize(float *out, const uint8_t *img, int w, int h, int ch,
		      int k, int nw, int nh, void *scratch)
{
	/* the caller's float scratch holds ints here (it is malloc'd memory,
	 * so its type is whatever is stored in it) */
	int *tmp = scratch;
	int *xo = tmp, *xa = tmp + nw, *r0 = tmp + 3 * nw, *r1 = tmp + 4 * nw;
	double sxs = (double)w / nw, sys = (double)h / nh;
	int src = ch >= 3 ? k : 0;

	for (int x = 0; x < nw; x++) {
		float fx = (float)((x + 0.5) * sxs - 0.5);
		int sx = (int)floorf(fx);

		fx -= (float)sx;
		if (sx < 0)
			fx = 0, sx = 0;
		if (sx >= w - 1)
			fx = 0, sx = w - 1;
		xo[x] = sx;
		xa[2 * x] = (int)lrintf((1.0f - fx) * 2048);
		xa[2 * x + 1] = (int)lrintf(fx * 2048);
	}
	for (int y = 0; y < nh; y++) {
		float fy = (float)((y + 0.5) * sys - 0.5);
		int sy = (int)floorf(fy), y1, b0, b1;

		fy -= (float)sy;
		if (sy < 0)
			fy = 0, sy = 0;
		if (sy >= h - 1)
			fy = 0, sy = h - 1;
		y1 = sy + 1 < h ? sy + 1 : sy;
		b0 = (int)lrintf((1.0f - fy) * 2048);
		b1 = (int)lrintf(fy * 2048);
		for (int pass = 0; pass < 2; pass++) {
			int *row = pass ? r1 : r0;
			const uint8_t *s = img + (size_t)(pass ? y1 : sy) * w * ch;

			for (int x = 0; x < nw; x++) {
				int a = xo[x], a1 = a + 1 < w ? a + 1 : a;

				row[x] = s[(size_t)a * ch + src] * xa[2 * x] +
					 s[(size_t)a1 * ch + src] * xa[2 * x + 1];
			}
		}
		for (int x = 0; x < nw; x++) {
			int v = (((b0 * (r0[x] >> 4)) >> 16) +
				 ((b1 * (r1[x] >> 4)) >> 16) + 2) >> 2;

			v = v < 0 ? 0 : v > 255 ? 255 : v;
			out[(size_t)y * nw + x] = (float)(v * (1.0 / 255.0));
		}
	}
}

void vt_dn_preprocess(float *out, const uint8_t *img, int w, int h, int ch,
		      int nw, int nh, enum vt_dn_resize mode, float *tmp)
{
	size_t plane = (size_t)nw * nh;

	if (mode == VT_DN_STRETCH) {
		for (int k = 0; k < 3; k++)
			cv_resize(out + k * plane, img, w, h, ch, k, nw, nh, tmp);
		return;
	}
	{
		int rw, rh;
		float *src = tmp, *part = tmp + 3 * (size_t)w * h;

		float lut[256];         /* (float)(u / 255.0) */

		for (int u = 0; u < 256; u++)
			lut[u] = (float)(u / 255.0);
		vt_dn_letterbox_dims(w, h, nw, nh, &rw, &rh);
		for (int k = 0; k < 3; k++) {
			int sk = ch >= 3 ? k : 0;   /* grey replicated */

			for (int y = 0; y < h; y++) {
				const uint8_t *in = img + (size_t)y * w * ch + sk;
				float *d = src + ((size_t)k * h + y) * w;

				for (int x = 0; x < w; x++)
					d[x] = lut[in[(size_t)x * ch]];
			}
		}
		for (size_t i = 0; i < 3 * plane; i++)
			out[i] = 0.5f;
		dn_resize(out, nw, nh, (nw - rw) / 2, (nh - rh) / 2, src, w, h,
			  rw, rh, part);
	}
}
