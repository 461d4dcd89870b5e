/* labels.c - boxes for --boxes: YOLO label directories, COCO instances JSON. */
#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vt/augment.h"
#include "vt/size.h"
#include "vt/file.h"

#define MAX_LABEL_BYTES (UINT64_C(1) << 30)

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}


static int push_box(double **boxes, size_t *n, size_t *cap,
		    const double b[4], struct vt_err *err)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 8;
		double *v = vt_realloc_array(*boxes, c, 4 * sizeof *v);

		if (!v)
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		*boxes = v;
		*cap = c;
	}
	memcpy(*boxes + 4 * *n, b, 4 * sizeof *b);
	(*n)++;
	return 0;
}

int vt_aug_labels_parse_yolo(const char *buf, size_t len, const char *name,
			     int64_t w, int64_t h, double **boxes, size_t *n,
			     struct vt_err *err)
{
	size_t cap = *n, line = 0;
	const char *end = buf + len;

	while (buf < end) {
		const char *eol = memchr(buf, '\n', (size_t)(end - buf));
		char tmp[256], *s, *e;
		double v[5], b[4];
		size_t k = eol ? (size_t)(eol - buf) : (size_t)(end - buf);
		int f = 0;

		line++;
		if (k >= sizeof tmp)
			return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: "
					  "longer than %zu bytes", name, line,
					  sizeof tmp - 1);
		memcpy(tmp, buf, k);
		tmp[k] = 0;
		if (memchr(tmp, 0, k))
			return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: "
					  "NUL byte", name, line);
		buf += k + (eol != NULL);
		s = tmp;
		for (;;) {
			s += strspn(s, " \t\r");
			if (!*s)
				break;
			if (f == 5)
				return vt_err_set(err, VT_EFORMAT, "'%s': line "
						  "%zu: more than 5 fields "
						  "(class cx cy w h)", name,
						  line);
			errno = 0;
			v[f] = strtod(s, &e);
			if (e == s || (*e && !strchr(" \t\r", *e)) ||
			    !isfinite(v[f]))
				return vt_err_set(err, VT_EFORMAT, "'%s': line "
						  "%zu: field %d is not a "
						  "number", name, line, f + 1);
			f++;
			s = e;
		}
		if (f == 0)
			continue;
		if (f != 5)
			return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: %d "
					  "fields, expected 5 (class cx cy w "
					  "h)", name, line, f);
		if (v[0] < 0 || v[0] != floor(v[0]))
			return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: "
					  "class %g is not a non-negative "
					  "integer", name, line, v[0]);
		if (v[3] < 0 || v[4] < 0)
			return vt_err_set(err, VT_EFORMAT, "'%s': line %zu: "
					  "negative width or height", name,
					  line);
		b[0] = (v[1] - v[3] / 2) * (double)w;
		b[1] = (v[2] - v[4] / 2) * (double)h;
		b[2] = (v[1] + v[3] / 2) * (double)w;
		b[3] = (v[2] + v[4] / 2) * (double)h;
		if (push_box(boxes, n, &cap, b, err))
			return VT_ENOMEM;
	}
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct vt_aug_label_image *)a)->name,
		      ((const struct vt_aug_label_image *)b)->name);
}

static int cmp_id(const void *a, const void *b)
{
	double x = (*(const struct vt_aug_label_image *const *)a)->id;
	double y = (*(const struct vt_aug_label_image *const *)b)->id;

	return (x > y) - (x < y);
}

static int coco_images(struct vt_aug_labels *l, const cJSON *arr,
		       const char *name, struct vt_err *err)
{
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	const cJSON *it;

	l->images = calloc(n ? n : 1, sizeof *l->images);
	if (!l->images)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	cJSON_ArrayForEach(it, arr) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(it,
								   "file_name");

		if (!cJSON_IsNumber(id) || !cJSON_IsString(fn) ||
		    !fn->valuestring[0])
			return vt_err_set(err, VT_EFORMAT, "'%s': images[%zu]: "
					  "needs a numeric id and a file_name",
					  name, i);
		l->images[i].id = id->valuedouble;
		l->images[i].name = strdup(base_name(fn->valuestring));
		if (!l->images[i].name)
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		l->n_images = ++i;
	}
	return 0;
}

static int coco_annotations(struct vt_aug_labels *l, const cJSON *arr,
			    const char *name, struct vt_err *err)
{
	struct vt_aug_label_image **by_id;
	const cJSON *it;
	size_t i = 0;
	int rc = 0;

	by_id = malloc((l->n_images ? l->n_images : 1) * sizeof *by_id);
	if (!by_id)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	for (size_t k = 0; k < l->n_images; k++)
		by_id[k] = &l->images[k];
	qsort(by_id, l->n_images, sizeof *by_id, cmp_id);
	for (size_t k = 1; k < l->n_images; k++)
		if (by_id[k]->id == by_id[k - 1]->id) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': images: id %g "
					"appears twice", name, by_id[k]->id);
			goto out;
		}
	cJSON_ArrayForEach(it, arr) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it,
								   "image_id");
		const cJSON *bb = cJSON_GetObjectItemCaseSensitive(it, "bbox");
		struct vt_aug_label_image key = { 0 }, *kp = &key, **hit;
		double v[4];
		int k = 0;
		const cJSON *e;

		if (!cJSON_IsNumber(id)) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': annotations"
					"[%zu]: no numeric image_id", name, i);
			goto out;
		}
		if (!cJSON_IsArray(bb) || cJSON_GetArraySize(bb) != 4) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': annotations"
					"[%zu]: bbox is not [x,y,w,h]", name, i);
			goto out;
		}
		cJSON_ArrayForEach(e, bb) {
			if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble)) {
				rc = vt_err_set(err, VT_EFORMAT, "'%s': "
						"annotations[%zu]: bbox is not "
						"4 numbers", name, i);
				goto out;
			}
			v[k++] = e->valuedouble;
		}
		if (v[2] < 0 || v[3] < 0) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': annotations"
					"[%zu]: bbox has a negative width or "
					"height", name, i);
			goto out;
		}
		key.id = id->valuedouble;
		hit = bsearch(&kp, by_id, l->n_images, sizeof *by_id, cmp_id);
		if (!hit) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': annotations"
					"[%zu]: image_id %g is not in images",
					name, i, key.id);
			goto out;
		}
		v[2] += v[0];
		v[3] += v[1];
		rc = push_box(&(*hit)->boxes, &(*hit)->n, &(*hit)->cap, v, err);
		if (rc)
			goto out;
		i++;
	}
out:
	free(by_id);
	return rc;
}

int vt_aug_labels_parse_coco(struct vt_aug_labels *l, const char *buf,
			     size_t len, const char *name, struct vt_err *err)
{
	cJSON *root;
	const cJSON *images, *anns;
	int rc;

	memset(l, 0, sizeof *l);
	root = cJSON_ParseWithLength(buf, len);
	if (!root)
		return vt_err_set(err, VT_EFORMAT, "'%s': not valid JSON (near "
				  "byte %td)", name, cJSON_GetErrorPtr() ?
				  cJSON_GetErrorPtr() - buf : (ptrdiff_t)0);
	images = cJSON_GetObjectItemCaseSensitive(root, "images");
	anns = cJSON_GetObjectItemCaseSensitive(root, "annotations");
	if (!cJSON_IsObject(root) || !cJSON_IsArray(images) ||
	    !cJSON_IsArray(anns))
		rc = vt_err_set(err, VT_EFORMAT, "'%s': not a COCO instances "
				"file (needs the arrays images and "
				"annotations)", name);
	else
		rc = coco_images(l, images, name, err);
	if (!rc)
		rc = coco_annotations(l, anns, name, err);
	cJSON_Delete(root);
	if (!rc) {
		qsort(l->images, l->n_images, sizeof *l->images, cmp_name);
		for (size_t k = 1; k < l->n_images; k++)
			if (!strcmp(l->images[k].name, l->images[k - 1].name)) {
				rc = vt_err_set(err, VT_EFORMAT, "'%s': images: "
						"two have the file name '%s'",
						name, l->images[k].name);
				break;
			}
	}
	if (rc)
		vt_aug_labels_release(l);
	return rc;
}

int vt_aug_labels_open(struct vt_aug_labels *l, const char *path,
		       struct vt_err *err)
{
	struct stat st;
	char *buf;
	size_t len;
	int rc;

	memset(l, 0, sizeof *l);
	if (stat(path, &st) != 0)
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open", path);
	if (S_ISDIR(st.st_mode)) {
		l->yolo = true;
	} else {
		rc = vt_file_read(path, MAX_LABEL_BYTES, &buf, &len, err);
		if (rc)
			return rc;
		rc = vt_aug_labels_parse_coco(l, buf, len, path, err);
		free(buf);
		if (rc)
			return rc;
	}
	l->path = strdup(path);
	if (!l->path) {
		vt_aug_labels_release(l);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	return 0;
}

void vt_aug_labels_release(struct vt_aug_labels *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_images; i++) {
		free(l->images[i].name);
		free(l->images[i].boxes);
	}
	free(l->images);
	free(l->path);
	memset(l, 0, sizeof *l);
}

int vt_aug_labels_find(const struct vt_aug_labels *l, const char *image,
		       int64_t w, int64_t h, double **boxes, size_t *n,
		       struct vt_err *err)
{
	const char *base = base_name(image), *dot = strrchr(base, '.');
	size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);

	*boxes = NULL;
	*n = 0;
	if (l->yolo) {
		size_t plen = strlen(l->path) + stem + 6;
		char *p = malloc(plen), *buf;
		size_t len;
		int rc;

		if (!p)
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		snprintf(p, plen, "%s/%.*s.txt", l->path, (int)stem, base);
		rc = vt_file_read(p, MAX_LABEL_BYTES, &buf, &len, err);
		if (rc == VT_EOPEN && err->sys_errno == ENOENT) {
			free(p);
			return 0;    /* an image without objects */
		}
		if (!rc) {
			rc = vt_aug_labels_parse_yolo(buf, len, p, w, h, boxes,
						      n, err);
			free(buf);
		}
		free(p);
		if (rc) {
			free(*boxes);
			*boxes = NULL;
			*n = 0;
		}
		return rc;
	} else {
		struct vt_aug_label_image key = { .name = (char *)base };
		const struct vt_aug_label_image *hit;

		hit = bsearch(&key, l->images, l->n_images, sizeof *l->images,
			      cmp_name);
		if (!hit || !hit->n)
			return 0;
		*boxes = malloc(hit->n * 4 * sizeof **boxes);
		if (!*boxes)
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		memcpy(*boxes, hit->boxes, hit->n * 4 * sizeof **boxes);
		*n = hit->n;
	}
	return 0;
}
