/* report.c - per-class tables and the text, JSON and CSV outputs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vt/eval.h"
#include "vt/size.h"
#include "vt/json.h"

void vt_eval_report_release(struct vt_eval_report *r)
{
	if (!r)
		return;
	free(r->row);
	memset(r, 0, sizeof *r);
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct vt_eval_row *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return (a->id > b->id) - (a->id < b->id);
}

static int rows_new(struct vt_eval_report *rep, size_t n, struct vt_err *err)
{
	rep->row = vt_calloc_array(n + 1, sizeof *rep->row);
	if (!rep->row)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	rep->n_row = n;
	return 0;
}

int vt_coco_report(struct vt_eval_report *rep, const struct vt_eval_set *s,
		   const struct vt_coco_matches *m,
		   const struct vt_coco_result *res,
		   const struct vt_coco_params *p, struct vt_err *err)
{
	unsigned md = p->maxdet[p->n_maxdet - 1];
	size_t t50 = 0;
	int rc;

	memset(rep, 0, sizeof *rep);
	rep->protocol = "coco";
	rep->has_stats = true;
	memcpy(rep->stats, res->stats, sizeof rep->stats);
	rep->map = res->stats[0];
	rep->coco = p;
	rep->n_img = s->n_img;
	rep->n_gt = s->n_gt;
	rep->n_dt = s->n_dt;
	for (size_t t = 0; t < p->n_iou; t++)
		if (p->iou[t] == 0.5)
			t50 = t;
	if ((rc = rows_new(rep, s->n_cat, err)))
		return rc;
	for (size_t k = 0; k < s->n_cat; k++) {
		struct vt_eval_row *r = &rep->row[k];
		long kk = (long)k;

		r->name = s->cat_name[k];
		r->id = s->cat_id[k];
		r->ap = vt_coco_mean(res, p, true, kk, -1, "all", md);
		r->ap50 = vt_coco_mean(res, p, true, kk, 0.5, "all", md);
		r->ap75 = vt_coco_mean(res, p, true, kk, 0.75, "all", md);
		r->ar = vt_coco_mean(res, p, false, kk, -1, "all", md);
		r->ap_small = vt_coco_mean(res, p, true, kk, -1, "small", md);
		r->ap_medium = vt_coco_mean(res, p, true, kk, -1, "medium", md);
		r->ap_large = vt_coco_mean(res, p, true, kk, -1, "large", md);
		r->n_gt = m->npig[k * m->n_area];
		r->n_dt = m->n_dt[k];
		vt_coco_counts(m, k, t50, &r->tp, &r->fp);
	}
	qsort(rep->row, rep->n_row, sizeof *rep->row, cmp_row);
	return 0;
}

int vt_voc_report(struct vt_eval_report *rep, const struct vt_eval_set *s,
		  const struct vt_voc_result *res,
		  const struct vt_voc_params *p, struct vt_err *err)
{
	int rc;

	memset(rep, 0, sizeof *rep);
	rep->protocol = p->mode == VT_VOC_11_POINT ? "voc07" : "voc";
	rep->map = res->map;
	rep->voc_iou = p->iou;
	rep->legacy_pixel = p->legacy_pixel;
	rep->n_img = s->n_img;
	rep->n_gt = s->n_gt;
	rep->n_dt = s->n_dt;
	if ((rc = rows_new(rep, s->n_cat, err)))
		return rc;
	for (size_t k = 0; k < s->n_cat; k++) {
		struct vt_eval_row *r = &rep->row[k];
		const struct vt_voc_class *c = &res->cls[k];

		r->name = s->cat_name[k];
		r->id = s->cat_id[k];
		r->ap = r->ap50 = c->ap;
		r->ap75 = r->ar = r->ap_small = r->ap_medium = r->ap_large = -1;
		r->n_gt = c->n_gt;
		r->n_dt = c->n_dt;
		r->tp = c->tp;
		r->fp = c->fp;
	}
	qsort(rep->row, rep->n_row, sizeof *rep->row, cmp_row);
	return 0;
}

static void cell(FILE *f, double v)
{
	if (v > -1)
		fprintf(f, " %7.3f", v);
	else
		fprintf(f, " %7s", "-");
}

int vt_eval_write_text(FILE *f, const struct vt_eval_report *r,
		       const struct vt_coco_result *coco)
{
	int w = 5;
	bool is_coco = r->has_stats;

	if (is_coco && coco) {
		if (vt_coco_write_summary(f, coco, r->coco))
			return -1;
	} else if (!is_coco) {
		fprintf(f, " Mean Average Precision (mAP) @[ IoU=%0.2f | %s%s ]"
			" = %0.4f\n", r->voc_iou,
			strcmp(r->protocol, "voc07") == 0 ? "11-point (VOC2007)"
			: "all-point (VOC2010+)",
			r->legacy_pixel ? "" : " | no +1 pixel", r->map);
	}
	for (size_t i = 0; i < r->n_row; i++) {
		int n = (int)strlen(r->row[i].name);

		if (n > w)
			w = n < 40 ? n : 40;
	}
	fprintf(f, "\n%-*s %6s", w, "class", "id");
	if (is_coco)
		fprintf(f, " %7s %7s %7s %7s", "AP", "AP50", "AP75", "AR");
	else
		fprintf(f, " %7s", "AP");
	fprintf(f, " %7s %7s %7s %7s\n", "GT", "DT", "TP", "FP");
	for (size_t i = 0; i < r->n_row; i++) {
		const struct vt_eval_row *x = &r->row[i];

		fprintf(f, "%-*s %6lld", w, x->name, (long long)x->id);
		cell(f, x->ap);
		if (is_coco) {
			cell(f, x->ap50);
			cell(f, x->ap75);
			cell(f, x->ar);
		}
		fprintf(f, " %7llu %7llu %7llu %7llu\n",
			(unsigned long long)x->n_gt,
			(unsigned long long)x->n_dt,
			(unsigned long long)x->tp, (unsigned long long)x->fp);
	}
	return ferror(f) ? -1 : 0;
}

/* The shortest of %.15g..%.17g that reads back as v; null if not finite. */
static void num(FILE *f, double v)
{
	char buf[40];

	if (!isfinite(v)) {
		fputs("null", f);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

int vt_eval_write_json(FILE *f, const struct vt_eval_report *r)
{
	fputs("{\"protocol\":", f);
	vt_json_put_string(f, r->protocol);
	fputs(",\"map\":", f);
	num(f, r->map);
	if (r->has_stats) {
		const struct vt_coco_params *p = r->coco;

		fputs(",\"stats\":[", f);
		for (int i = 0; i < 12; i++) {
			if (i)
				fputc(',', f);
			num(f, r->stats[i]);
		}
		fputs("],\"iou_thresholds\":[", f);
		for (size_t t = 0; t < p->n_iou; t++) {
			if (t)
				fputc(',', f);
			num(f, p->iou[t]);
		}
		fputs("],\"max_dets\":[", f);
		for (size_t i = 0; i < p->n_maxdet; i++)
			fprintf(f, "%s%u", i ? "," : "", p->maxdet[i]);
		fputs("],\"area_ranges\":{", f);
		for (size_t a = 0; a < p->n_area; a++) {
			if (a)
				fputc(',', f);
			vt_json_put_string(f, p->area_lbl[a]);
			fputs(":[", f);
			num(f, p->area[a][0]);
			fputc(',', f);
			num(f, p->area[a][1]);
			fputc(']', f);
		}
		fputc('}', f);
	} else {
		fputs(",\"iou_thresholds\":[", f);
		num(f, r->voc_iou);
		fprintf(f, "],\"legacy_pixel\":%s",
			r->legacy_pixel ? "true" : "false");
	}
	fprintf(f, ",\"counts\":{\"images\":%zu,\"categories\":%zu,"
		"\"gt\":%zu,\"dt\":%zu}", r->n_img, r->n_row, r->n_gt, r->n_dt);
	fputs(",\"per_class\":[", f);
	for (size_t i = 0; i < r->n_row; i++) {
		const struct vt_eval_row *x = &r->row[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		vt_json_put_string(f, x->name);
		fprintf(f, ",\"id\":%lld,\"ap\":", (long long)x->id);
		num(f, x->ap);
		if (r->has_stats) {
			fputs(",\"ap50\":", f);
			num(f, x->ap50);
			fputs(",\"ap75\":", f);
			num(f, x->ap75);
			fputs(",\"ar\":", f);
			num(f, x->ar);
			fputs(",\"ap_small\":", f);
			num(f, x->ap_small);
			fputs(",\"ap_medium\":", f);
			num(f, x->ap_medium);
			fputs(",\"ap_large\":", f);
			num(f, x->ap_large);
		}
		fprintf(f, ",\"gt\":%llu,\"dt\":%llu,\"tp\":%llu,\"fp\":%llu}",
			(unsigned long long)x->n_gt,
			(unsigned long long)x->n_dt,
			(unsigned long long)x->tp, (unsigned long long)x->fp);
	}
	fputs("]}\n", f);
	return ferror(f) ? -1 : 0;
}

static void csvstr(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int vt_eval_write_csv(FILE *f, const struct vt_eval_report *r)
{
	fputs(r->has_stats ? "name,id,ap,ap50,ap75,ar,gt,dt,tp,fp\n"
			   : "name,id,ap,gt,dt,tp,fp\n", f);
	for (size_t i = 0; i < r->n_row; i++) {
		const struct vt_eval_row *x = &r->row[i];

		csvstr(f, x->name);
		fprintf(f, ",%lld,", (long long)x->id);
		num(f, x->ap);
		if (r->has_stats) {
			fputc(',', f);
			num(f, x->ap50);
			fputc(',', f);
			num(f, x->ap75);
			fputc(',', f);
			num(f, x->ar);
		}
		fprintf(f, ",%llu,%llu,%llu,%llu\n",
			(unsigned long long)x->n_gt,
			(unsigned long long)x->n_dt,
			(unsigned long long)x->tp, (unsigned long long)x->fp);
	}
	return ferror(f) ? -1 : 0;
}
