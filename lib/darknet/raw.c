/* raw.c - the [yolo] layers' outputs as tensor records (--raw) and the
 * per-layer timing table (--profile). */
#include <stdlib.h>
#include <string.h>

#include "vt/darknet.h"

static const char *const resize_names[] = {
	[VT_DN_LETTERBOX] = "letterbox",
	[VT_DN_STRETCH] = "stretch",
};
_Static_assert(sizeof resize_names / sizeof *resize_names ==
	       VT_DN_RESIZE_COUNT, "resize_names");

size_t vt_dn_raw_n(const struct vt_dn_net *net)
{
	size_t n = 0;

	for (int i = 0; i < net->n; i++)
		if (net->layers[i].type == VT_DN_YOLO)
			n += net->layers[i].out_n;
	return n;
}

void vt_dn_raw_copy(const struct vt_dn_net *net, float *dst)
{
	for (int i = 0; i < net->n; i++) {
		const struct vt_dn_layer *l = &net->layers[i];

		if (l->type != VT_DN_YOLO)
			continue;
		memcpy(dst, l->out, l->out_n * sizeof(float));
		dst += l->out_n;
	}
}

/* "w,h,w,h,..." of the masked anchors of l into buf. */
static void anchors_str(const struct vt_dn_layer *l, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int a = 0; a < l->n_mask && len < size; a++) {
		int m = l->mask[a];

		len += (size_t)snprintf(buf + len, size - len, "%s%g,%g",
					a ? "," : "", (double)l->anchors[2 * m],
					(double)l->anchors[2 * m + 1]);
	}
}

int vt_dn_raw_record(const struct vt_dn_net *net, float *raw,
		     const char *image, int width, int height,
		     enum vt_dn_resize resize, struct vt_record *rec,
		     struct vt_err *err)
{
	char num[32], key[64], val[VT_DN_MAX_ANCHORS * 32];
	int rc = vt_record_meta_set(rec, "image", image, err);

	snprintf(num, sizeof num, "%d", width);
	if (!rc)
		rc = vt_record_meta_set(rec, "width", num, err);
	snprintf(num, sizeof num, "%d", height);
	if (!rc)
		rc = vt_record_meta_set(rec, "height", num, err);
	if (!rc)
		rc = vt_record_meta_set(rec, "resize",
					resize_names[(unsigned)resize <
						     VT_DN_RESIZE_COUNT ?
						     resize : 0], err);
	for (int i = 0; !rc && i < net->n; i++) {
		const struct vt_dn_layer *l = &net->layers[i];
		struct vt_tensor t = { 0 };
		uint64_t shape[4] = { (uint64_t)l->n_mask,
				      (uint64_t)l->classes + 5,
				      (uint64_t)l->out_h, (uint64_t)l->out_w };
		static const char dims[] = "anchor,entry,H,W";

		if (l->type != VT_DN_YOLO)
			continue;
		snprintf(key, sizeof key, "yolo%d", i);
		rc = vt_tensor_init_view(&t, key, VT_F32, 4, shape, raw, err);
		if (!rc)
			rc = vt_tensor_set_dims(&t, dims, sizeof dims - 1, err);
		if (!rc)
			rc = vt_record_add(rec, &t, err);
		if (rc) {
			vt_tensor_release(&t);
			break;
		}
		raw += l->out_n;
		anchors_str(l, val, sizeof val);
		snprintf(key, sizeof key, "yolo%d.anchors", i);
		rc = vt_record_meta_set(rec, key, val, err);
	}
	return rc;
}

int vt_dn_profile_write(FILE *f, const char *name,
			const struct vt_dn_net *net, const double *layer_s,
			size_t images, struct vt_err *err)
{
	double total_s = 0, total_g = 0;

	fprintf(f, "%5s  %-13s %16s %11s %9s %9s\n", "layer", "type",
		"output", "ms", "GFLOP", "GFLOP/s");
	for (int i = 0; i < net->n; i++) {
		const struct vt_dn_layer *l = &net->layers[i];
		double g = vt_dn_layer_flops(net, i) * 1e-9 * (double)images;
		char shape[48];

		snprintf(shape, sizeof shape, "%dx%dx%d", l->out_c, l->out_h,
			 l->out_w);
		fprintf(f, "%5d  %-13s %16s %11.3f %9.3f %9.1f\n", i,
			vt_dn_type_name(l->type), shape, layer_s[i] * 1e3, g,
			layer_s[i] > 0 ? g / layer_s[i] : 0.0);
		total_s += layer_s[i];
		total_g += g;
	}
	fprintf(f, "%5s  %-13s %16zu %11.3f %9.3f %9.1f\n", "total", "images",
		images, total_s * 1e3, total_g,
		total_s > 0 ? total_g / total_s : 0.0);
	if (fflush(f) || ferror(f))
		return vt_err_sys(err, VT_EIO, "'%s': write error", name);
	return 0;
}

int vt_dn_raw_write(FILE *f, const char *name, const struct vt_dn_net *net,
		    const struct vt_dn_result *r, enum vt_dn_resize resize,
		    struct vt_err *err)
{
	struct vt_record rec;
	int rc;

	vt_record_init(&rec);
	rc = vt_dn_raw_record(net, r->raw, r->path, r->width, r->height,
			      resize, &rec, err);
	if (!rc)
		rc = vt_record_write(f, name, &rec, err);
	vt_record_release(&rec);
	return rc;
}
