/* draw.c - yolo-detect --draw: detections drawn on a copy of the image. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/darknet.h"
#include "vt/draw.h"
#include "vt/image.h"
#include "vt/outfile.h"

static void draw_one(struct vt_tensor *img, const struct vt_dn_det *d,
		     char *const *names, int n_names, int thick, int scale)
{
	int x1 = (int)floorf(d->box[0]), y1 = (int)floorf(d->box[1]);
	int x2 = (int)ceilf(d->box[2]) - 1, y2 = (int)ceilf(d->box[3]) - 1;
	int h = (int)img->shape[0], w = (int)img->shape[1];
	uint8_t col[3], ink[3];
	char label[96], id[16];
	const char *name = id;
	int tw, th, pad = scale, ly;

	/* far outside: keep the arithmetic below in int range */
	if (!(d->box[0] < (float)w && d->box[1] < (float)h &&
	      d->box[2] > 0 && d->box[3] > 0))
		return;
	x1 = x1 < -thick ? -thick : x1;
	y1 = y1 < -thick ? -thick : y1;
	x2 = x2 > w + thick ? w + thick : x2;
	y2 = y2 > h + thick ? h + thick : y2;
	vt_draw_class_color(d->class_id, col);
	vt_draw_rect(img, x1, y1, x2, y2, thick, col);
	if (names && d->class_id >= 0 && d->class_id < n_names)
		name = names[d->class_id];
	else
		snprintf(id, sizeof id, "%d", d->class_id);
	snprintf(label, sizeof label, "%.80s %.2f", name, (double)d->score);
	tw = vt_draw_text_width(label, scale) + 2 * pad;
	th = vt_draw_text_height(scale) + 2 * pad;
	x1 = x1 < 0 ? 0 : x1;
	ly = y1 - th >= 0 ? y1 - th : (y1 < 0 ? 0 : y1);
	/* dark text on light colours, white on dark ones */
	memset(ink, 0.299 * col[0] + 0.587 * col[1] + 0.114 * col[2] > 140 ?
	       0 : 255, sizeof ink);
	vt_draw_fill(img, x1, ly, x1 + tw - 1, ly + th - 1, col);
	vt_draw_text(img, x1 + pad, ly + pad, label, scale, ink);
}

void vt_dn_draw(struct vt_tensor *img, const struct vt_dn_det *d, size_t n,
		char *const *names, int n_names)
{
	int h = (int)img->shape[0], w = (int)img->shape[1];
	int side = h < w ? h : w;
	int thick = side / 250 > 1 ? side / 250 : 1, scale = 1 + side / 500;

	/* d is sorted best first: draw from the end */
	for (size_t i = n; i-- > 0;)
		draw_one(img, &d[i], names, n_names, thick, scale);
}

int vt_dn_draw_write(const char *dir, const char *rel, struct vt_tensor *img,
		     const struct vt_dn_det *d, size_t n, char *const *names,
		     int n_names, struct vt_err *err)
{
	enum vt_image_format f;
	const char *slash = strrchr(rel, '/'), *dot = strrchr(rel, '.');
	size_t stem, len;
	char *path;
	int rc;

	if (!dot || (slash && dot < slash) || dot == rel || dot[-1] == '/')
		dot = rel + strlen(rel);
	stem = (size_t)(dot - rel);
	len = strlen(dir) + strlen(rel) + 8;
	path = malloc(len);
	if (!path)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	if (vt_image_format_from_path(rel, &f, NULL) == 0)
		snprintf(path, len, "%s/%s", dir, rel);
	else
		snprintf(path, len, "%s/%.*s.png", dir, (int)stem, rel);
	vt_dn_draw(img, d, n, names, n_names);
	rc = vt_mkdirs_for(path, err);
	if (!rc)
		rc = vt_image_write_flags(path, img, 0, VT_OUTFILE_NOSYNC, err);
	free(path);
	return rc;
}
