/* decode.c - detections from the [yolo] layers as pjreddie's darknet makes
 * them (get_yolo_detections, correct_yolo_boxes, do_nms_sort), with its
 * float and double rounding steps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vt/darknet.h"
#include "vt/size.h"

struct cand {
	float bx, by, bw, bh, obj;
	float box[4];
};

static int by_score(const void *pa, const void *pb)
{
	const struct vt_dn_det *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->class_id != b->class_id)
		return a->class_id - b->class_id;
	return (a->box[0] > b->box[0]) - (a->box[0] < b->box[0]);
}

int vt_dn_decode(const struct vt_dn_net *net, int w, int h,
		 const struct vt_dn_decode_opts *o, struct vt_dn_det **dets,
		 size_t *ndets, struct vt_err *err)
{
	size_t ncand = 0, cap = 0, nout = 0;
	int classes = 0, new_w = net->w, new_h = net->h;
	struct cand *c = NULL;
	float *prob = NULL, *boxes = NULL, *scores = NULL;
	size_t *idx = NULL, *keep = NULL;
	struct vt_dn_det *out = NULL;
	int rc = 0;

	*dets = NULL;
	*ndets = 0;
	for (int i = 0; i < net->n; i++) {
		const struct vt_dn_layer *l = &net->layers[i];

		if (l->type != VT_DN_YOLO)
			continue;
		if (l->classes > classes)
			classes = l->classes;
		cap += (size_t)l->n_mask * l->out_h * l->out_w;
	}
	if (!cap)
		return 0;
	c = vt_malloc_array(cap, sizeof *c);
	prob = vt_calloc_array(cap, (size_t)classes * sizeof *prob);
	if (!c || !prob)
		goto nomem;
	if (o->resize == VT_DN_LETTERBOX)
		vt_dn_letterbox_dims(w, h, net->w, net->h, &new_w, &new_h);
	for (int i = 0; i < net->n; i++) {
		const struct vt_dn_layer *l = &net->layers[i];
		size_t hw = (size_t)l->out_h * l->out_w;

		if (l->type != VT_DN_YOLO)
			continue;
		for (size_t cell = 0; cell < hw; cell++) {
			int row = (int)(cell / (size_t)l->out_w);
			int col = (int)(cell % (size_t)l->out_w);

			for (int a = 0; a < l->n_mask; a++) {
				const float *p = l->out + (size_t)a *
					(size_t)(l->classes + 5) * hw + cell;
				float obj = p[4 * hw];
				int m = l->mask[a];
				struct cand *d = &c[ncand];
				float *pr = prob + ncand * (size_t)classes;

				if (!(obj > o->thresh))
					continue;
				d->bx = ((float)col + p[0]) / (float)l->out_w;
				d->by = ((float)row + p[hw]) / (float)l->out_h;
				d->bw = (float)(exp(p[2 * hw]) *
						l->anchors[2 * m] / net->w);
				d->bh = (float)(exp(p[3 * hw]) *
						l->anchors[2 * m + 1] / net->h);
				d->bx = (float)((d->bx - (net->w - new_w) / 2. /
						 net->w) /
						((float)new_w / net->w));
				d->by = (float)((d->by - (net->h - new_h) / 2. /
						 net->h) /
						((float)new_h / net->h));
				d->bw *= (float)net->w / (float)new_w;
				d->bh *= (float)net->h / (float)new_h;
				d->obj = obj;
				d->box[0] = (float)((d->bx - d->bw / 2.) * w);
				d->box[1] = (float)((d->by - d->bh / 2.) * h);
				d->box[2] = (float)((d->bx + d->bw / 2.) * w);
				d->box[3] = (float)((d->by + d->bh / 2.) * h);
				for (int k = 0; k < l->classes; k++) {
					float s = obj * p[(size_t)(5 + k) * hw];

					pr[k] = s > o->thresh ? s : 0.0f;
				}
				ncand++;
			}
		}
	}
	boxes = vt_malloc_array(ncand + 1, 4 * sizeof *boxes);
	scores = vt_malloc_array(ncand + 1, sizeof *scores);
	idx = vt_malloc_array(ncand + 1, sizeof *idx);
	keep = vt_malloc_array(ncand + 1, sizeof *keep);
	out = vt_malloc_array(ncand + 1, (size_t)classes * sizeof *out);
	if (!boxes || !scores || !idx || !keep || !out)
		goto nomem;
	for (int k = 0; k < classes; k++) {
		size_t n = 0, nk = 0;

		for (size_t i = 0; i < ncand; i++) {
			float s = prob[i * (size_t)classes + k];

			if (s <= 0)
				continue;
			memcpy(boxes + 4 * n, c[i].box, sizeof c[i].box);
			scores[n] = s;
			idx[n++] = i;
		}
		if (!n)
			continue;
		if (o->nms > 0) {
			rc = vt_nms(keep, &nk, boxes, scores, n, o->nms,
				    o->nms_kind, err);
			if (rc)
				goto done;
		} else {
			for (size_t i = 0; i < n; i++)
				keep[i] = i;
			nk = n;
		}
		for (size_t j = 0; j < nk; j++) {
			const struct cand *d = &c[idx[keep[j]]];
			struct vt_dn_det *t = &out[nout++];

			memcpy(t->box, d->box, sizeof t->box);
			t->bx = d->bx;
			t->by = d->by;
			t->bw = d->bw;
			t->bh = d->bh;
			t->score = scores[keep[j]];
			t->objectness = d->obj;
			t->class_id = k;
			if (o->clamp) {
				t->box[0] = fminf(fmaxf(t->box[0], 0), (float)w);
				t->box[2] = fminf(fmaxf(t->box[2], 0), (float)w);
				t->box[1] = fminf(fmaxf(t->box[1], 0), (float)h);
				t->box[3] = fminf(fmaxf(t->box[3], 0), (float)h);
			}
		}
	}
	qsort(out, nout, sizeof *out, by_score);
	if (o->max_dets && nout > o->max_dets)
		nout = o->max_dets;
	if (nout) {
		*dets = out;
		out = NULL;
	}
	*ndets = nout;
	goto done;
nomem:
	rc = vt_err_set(err, VT_ENOMEM, "out of memory decoding %zu "
			"candidates", ncand);
done:
	free(c);
	free(prob);
	free(boxes);
	free(scores);
	free(idx);
	free(keep);
	free(out);
	return rc;
}
