/* output.c - yolo-detect's detections as text, JSON lines, a COCO results
 * list, YOLO label files or detection records. */
#include <stdlib.h>
#include <string.h>

#include "vt/coco.h"
#include "vt/detections.h"
#include "vt/outfile.h"
#include "vt/record.h"
#include "vt/tensor.h"
#include "vt/json.h"
#include "vt/file.h"

static const char *const format_names[] = {
	[VT_DET_TEXT] = "text",
	[VT_DET_JSONL] = "jsonl",
	[VT_DET_COCO] = "coco",
	[VT_DET_YOLO] = "yolo",
	[VT_DET_TENSOR] = "tensor",
};
_Static_assert(sizeof format_names / sizeof *format_names ==
	       VT_DET_FORMAT_COUNT, "format_names");

const char *vt_det_format_name(enum vt_det_format f)
{
	return (unsigned)f < VT_DET_FORMAT_COUNT ? format_names[f] : NULL;
}

int vt_det_format_parse(const char *s, enum vt_det_format *out)
{
	for (int i = 0; i < VT_DET_FORMAT_COUNT; i++)
		if (strcmp(s, format_names[i]) == 0) {
			*out = (enum vt_det_format)i;
			return 0;
		}
	return VT_EINVAL;
}

void vt_det_writer_init(struct vt_det_writer *w, enum vt_det_format f)
{
	memset(w, 0, sizeof *w);
	w->format = f;
}

void vt_det_writer_release(struct vt_det_writer *w)
{
	if (w->gt) {
		vt_eval_set_release(w->gt);
		free(w->gt);
		w->gt = NULL;
	}
}

int vt_det_writer_coco_gt(struct vt_det_writer *w, const char *path,
			  struct vt_err *err)
{
	char *buf;
	size_t len;
	int rc = vt_file_read(path, 0, &buf, &len, err);

	if (rc)
		return rc;
	w->gt = malloc(sizeof *w->gt);
	if (!w->gt) {
		free(buf);
		return vt_err_set(err, VT_ENOMEM, "'%s': out of memory", path);
	}
	vt_eval_set_init(w->gt);
	rc = vt_coco_read_gt(w->gt, buf, len, path, err);
	free(buf);
	if (rc)
		vt_det_writer_release(w);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static const char *class_name(const struct vt_det_writer *w, int id,
			      char *buf, size_t cap)
{
	if (w->names && id < w->n_names)
		return w->names[id];
	snprintf(buf, cap, "%d", id);
	return buf;
}

/* The image id of path: the ground truth's image of the same file name,
 * else the number the file name's stem is. */
static int coco_image_id(const struct vt_det_writer *w, const char *path,
			 int64_t *id, struct vt_err *err)
{
	const char *b = base_name(path);
	char *end;
	long long v;

	if (w->gt) {
		for (size_t i = 0; i < w->gt->n_img; i++)
			if (w->gt->img_name[i] &&
			    strcmp(base_name(w->gt->img_name[i]), b) == 0) {
				*id = w->gt->img_id[i];
				return 0;
			}
		return vt_err_set(err, VT_EFORMAT, "'%s': no image of that "
				  "file name in the COCO ground truth", path);
	}
	v = strtoll(b, &end, 10);
	if (end == b || *b < '0' || *b > '9' || (*end && *end != '.'))
		return vt_err_set(err, VT_EFORMAT, "'%s': no numeric image id "
				  "in the file name (give --coco-gt)", path);
	*id = v;
	return 0;
}

static int64_t coco_category(const struct vt_det_writer *w, int cls)
{
	if (!w->gt)
		return cls;
	if (w->names && cls < w->n_names)
		for (size_t i = 0; i < w->gt->n_cat; i++)
			if (strcmp(w->gt->cat_name[i], w->names[cls]) == 0)
				return w->gt->cat_id[i];
	if ((size_t)cls < w->gt->n_cat)
		return w->gt->cat_id[cls];
	return cls;
}

static int put_record(struct vt_det_writer *w, const char *path, int width,
		      int height, const struct vt_dn_det *d, size_t n,
		      struct vt_err *err)
{
	struct vt_record rec;
	struct vt_tensor t;
	char buf[32];
	int rc;
	float *boxes = malloc(sizeof(float) * 4 * (n + 1));
	float *scores = malloc(sizeof(float) * (n + 1));
	int32_t *cls = malloc(sizeof(int32_t) * (n + 1));

	if (!boxes || !scores || !cls) {
		free(boxes);
		free(scores);
		free(cls);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(boxes + 4 * i, d[i].box, sizeof d[i].box);
		scores[i] = d[i].score;
		cls[i] = d[i].class_id;
	}
	vt_record_init(&rec);
	rc = vt_tensor_init_view(&t, "boxes", VT_F32, 2, (uint64_t[]){ n, 4 },
				 n ? boxes : NULL, err);
	if (!rc)
		rc = vt_record_add(&rec, &t, err);
	vt_tensor_release(&t);
	if (!rc)
		rc = vt_tensor_init_view(&t, "scores", VT_F32, 1,
					 (uint64_t[]){ n }, n ? scores : NULL,
					 err);
	if (!rc)
		rc = vt_record_add(&rec, &t, err);
	vt_tensor_release(&t);
	if (!rc)
		rc = vt_tensor_init_view(&t, "classes", VT_I32, 1,
					 (uint64_t[]){ n }, n ? cls : NULL, err);
	if (!rc)
		rc = vt_record_add(&rec, &t, err);
	vt_tensor_release(&t);
	if (!rc)
		rc = vt_record_meta_set(&rec, "image", path, err);
	snprintf(buf, sizeof buf, "%d", width);
	if (!rc)
		rc = vt_record_meta_set(&rec, "width", buf, err);
	snprintf(buf, sizeof buf, "%d", height);
	if (!rc)
		rc = vt_record_meta_set(&rec, "height", buf, err);
	if (!rc)
		rc = vt_record_write(w->out, w->out_name, &rec, err);
	vt_record_release(&rec);
	free(boxes);
	free(scores);
	free(cls);
	return rc;
}

/* DIR/<stem>.txt, written whole and renamed into place. */
static int put_yolo(struct vt_det_writer *w, const char *path, int width,
		    int height, const struct vt_dn_det *d, size_t n,
		    struct vt_err *err)
{
	struct vt_outfile of = { 0 };
	const char *b = base_name(path), *dot = strrchr(b, '.');
	size_t stem = dot && dot != b ? (size_t)(dot - b) : strlen(b);
	size_t len = strlen(w->dir) + stem + 6;
	char *file = malloc(len);
	int rc;

	if (!file)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	snprintf(file, len, "%s/%.*s.txt", w->dir, (int)stem, b);
	rc = vt_outfile_open_flags(&of, file, VT_OUTFILE_NOSYNC, err);
	for (size_t i = 0; !rc && i < n; i++) {
		const float *x = d[i].box;

		fprintf(of.fp, "%d %.6f %.6f %.6f %.6f %.6f\n", d[i].class_id,
			(x[0] + x[2]) / 2 / width, (x[1] + x[3]) / 2 / height,
			(x[2] - x[0]) / width, (x[3] - x[1]) / height,
			d[i].score);
	}
	if (!rc)
		rc = vt_outfile_commit(&of, err);
	else
		vt_outfile_abort(&of);
	free(file);
	return rc;
}

int vt_det_write(struct vt_det_writer *w, const char *path, int width,
		 int height, const struct vt_dn_det *d, size_t n,
		 struct vt_err *err)
{
	char buf[32];
	int64_t img = 0;
	int rc;

	if (w->format == VT_DET_TENSOR)
		return put_record(w, path, width, height, d, n, err);
	if (w->format == VT_DET_YOLO)
		return put_yolo(w, path, width, height, d, n, err);
	if (w->format == VT_DET_COCO &&
	    (rc = coco_image_id(w, path, &img, err)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		const char *name = class_name(w, d[i].class_id, buf, sizeof buf);
		const float *x = d[i].box;

		switch (w->format) {
		case VT_DET_TEXT:
			fprintf(w->out, "%s\t%s\t%.6f\t%.2f\t%.2f\t%.2f\t%.2f\n",
				path, name, d[i].score, x[0], x[1], x[2], x[3]);
			break;
		case VT_DET_JSONL:
			fputs("{\"image\":", w->out);
			vt_json_put_string(w->out, path);
			fprintf(w->out, ",\"class_id\":%d,\"class\":",
				d[i].class_id);
			vt_json_put_string(w->out, name);
			fprintf(w->out, ",\"score\":%.6g,\"objectness\":%.6g,"
				"\"box\":[%.9g,%.9g,%.9g,%.9g]}\n", d[i].score,
				d[i].objectness, x[0], x[1], x[2], x[3]);
			break;
		case VT_DET_COCO:
			fprintf(w->out, "%s{\"image_id\":%lld,\"category_id\":"
				"%lld,\"bbox\":[%.9g,%.9g,%.9g,%.9g],\"score\":"
				"%.6g}", w->n_written ? ",\n" : "[\n",
				(long long)img,
				(long long)coco_category(w, d[i].class_id),
				x[0], x[1], x[2] - x[0], x[3] - x[1],
				d[i].score);
			w->n_written++;
			break;
		default:
			VT_BUG(1);
		}
	}
	if (ferror(w->out))
		return vt_err_sys(err, VT_EIO, "'%s'", w->out_name);
	return 0;
}

int vt_det_writer_finish(struct vt_det_writer *w, struct vt_err *err)
{
	if (w->format != VT_DET_COCO)
		return 0;
	fputs(w->n_written ? "\n]\n" : "[]\n", w->out);
	if (ferror(w->out))
		return vt_err_sys(err, VT_EIO, "'%s'", w->out_name);
	return 0;
}
