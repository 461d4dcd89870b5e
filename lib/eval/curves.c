/* curves.c - per-class precision-recall curves (CSV and SVG) and the
 * confusion matrix. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vt/eval.h"
#include "vt/outfile.h"
#include "vt/size.h"
#include "vt/xml.h"

/* precision[t][r] of category k, area 0, the largest maxdet. */
static double prec(const struct vt_coco_result *r, size_t t, size_t ri,
		   size_t k)
{
	return r->precision[(((t * r->R + ri) * r->K + k) * r->A) * r->M +
			    r->M - 1];
}

int vt_coco_write_pr_csv(FILE *f, const struct vt_coco_result *r,
			 const struct vt_coco_params *p, size_t k)
{
	int bad = fputs("recall", f) < 0;

	for (size_t t = 0; t < r->T; t++)
		bad |= fprintf(f, ",p@%.2f", p->iou[t]) < 0;
	bad |= fputc('\n', f) < 0;
	for (size_t ri = 0; ri < r->R; ri++) {
		bad |= fprintf(f, "%.17g", p->rec[ri]) < 0;
		for (size_t t = 0; t < r->T; t++)
			bad |= fprintf(f, ",%.17g", prec(r, t, ri, k)) < 0;
		bad |= fputc('\n', f) < 0;
	}
	return bad ? -1 : 0;
}

int vt_coco_write_pr_svg(FILE *f, const struct vt_coco_result *r,
			 const struct vt_coco_params *p, size_t k,
			 const char *title)
{
	/* plot area 400 x 400 at (60, 40) */
	const double x0 = 60, y0 = 440, w = 400, h = 400;
	int bad = fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			  "width=\"620\" height=\"500\" font-family=\"sans-serif"
			  "\" font-size=\"12\">\n<rect width=\"620\" height="
			  "\"500\" fill=\"white\"/>\n<text x=\"260\" y=\"24\" "
			  "text-anchor=\"middle\" font-size=\"15\">") < 0;

	bad |= vt_xml_put_text(f, title);
	bad |= fprintf(f, "</text>\n<rect x=\"%g\" y=\"%g\" width=\"%g\" "
		       "height=\"%g\" fill=\"none\" stroke=\"black\"/>\n",
		       x0, y0 - h, w, h) < 0;
	for (int i = 0; i <= 10; i++) {
		double v = i / 10.0;

		bad |= fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" "
			       "stroke=\"#ddd\"/><line x1=\"%g\" y1=\"%g\" x2="
			       "\"%g\" y2=\"%g\" stroke=\"#ddd\"/>\n<text x=\"%g\""
			       " y=\"%g\" text-anchor=\"middle\">%.1f</text><text"
			       " x=\"%g\" y=\"%g\" text-anchor=\"end\">%.1f"
			       "</text>\n", x0 + v * w, y0, x0 + v * w, y0 - h,
			       x0, y0 - v * h, x0 + w, y0 - v * h, x0 + v * w,
			       y0 + 16, v, x0 - 6, y0 - v * h + 4, v) < 0;
	}
	bad |= fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">"
		       "recall</text>\n<text x=\"16\" y=\"%g\" text-anchor="
		       "\"middle\" transform=\"rotate(-90 16 %g)\">precision"
		       "</text>\n", x0 + w / 2, y0 + 36, y0 - h / 2,
		       y0 - h / 2) < 0;
	for (size_t t = 0; t < r->T; t++) {
		/* hue from red (lowest IoU) to blue (highest) */
		int hue = r->T > 1 ? (int)(240 * t / (r->T - 1)) : 0;

		bad |= fprintf(f, "<polyline fill=\"none\" stroke=\"hsl(%d,80%%,"
			       "45%%)\" stroke-width=\"1.5\" points=\"", hue) < 0;
		for (size_t ri = 0; ri < r->R; ri++)
			bad |= fprintf(f, "%s%.2f,%.2f", ri ? " " : "",
				       x0 + p->rec[ri] * w,
				       y0 - prec(r, t, ri, k) * h) < 0;
		bad |= fprintf(f, "\"/>\n<text x=\"%g\" y=\"%g\" fill=\"hsl(%d,"
			       "80%%,45%%)\">IoU %.2f</text>\n", x0 + w + 14,
			       y0 - h + 14 + 16.0 * (double)t, hue,
			       p->iou[t]) < 0;
	}
	bad |= fputs("</svg>\n", f) < 0;
	return bad ? -1 : 0;
}

/* DIR/<id>_<name>.<ext> with unsafe bytes of the name as '_'. */
static char *file_name(const char *dir, int64_t id, const char *name,
		       const char *ext)
{
	size_t n = strlen(dir) + strlen(name) + 48;
	char *p = malloc(n), *q;

	if (!p)
		return NULL;
	snprintf(p, n, "%s/%lld_", dir, (long long)id);
	q = p + strlen(p);
	for (const char *s = name; *s; s++)
		*q++ = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		       (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' ?
		       *s : '_';
	snprintf(q, n - (size_t)(q - p), ".%s", ext);
	return p;
}

int vt_coco_pr_curves(const char *dir, const struct vt_eval_set *s,
		      const struct vt_coco_result *r,
		      const struct vt_coco_params *p, struct vt_err *err)
{
	int rc = 0;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return vt_err_sys(err, VT_ECREATE, "'%s'", dir);
	for (size_t k = 0; !rc && k < r->K; k++) {
		if (prec(r, 0, 0, k) <= -1)
			continue;   /* no ground truth */
		for (int svg = 0; !rc && svg < 2; svg++) {
			struct vt_outfile of = { 0 };
			char *path = file_name(dir, s->cat_id[k], s->cat_name[k],
					       svg ? "svg" : "csv");

			if (!path)
				return vt_err_set(err, VT_ENOMEM, "out of memory");
			rc = vt_outfile_open_flags(&of, path, VT_OUTFILE_NOSYNC,
						   err);
			if (!rc && (svg ? vt_coco_write_pr_svg(of.fp, r, p, k,
							      s->cat_name[k])
				    : vt_coco_write_pr_csv(of.fp, r, p, k)))
				rc = vt_err_sys(err, VT_EIO, "'%s': write error",
						path);
			if (!rc)
				rc = vt_outfile_commit(&of, err);
			else
				vt_outfile_abort(&of);
			free(path);
		}
	}
	return rc;
}

/* ---- confusion matrix ------------------------------------------------- */

void vt_confusion_release(struct vt_confusion *c)
{
	if (c)
		free(c->count);
	if (c)
		memset(c, 0, sizeof *c);
}

struct pair {
	double iou;
	uint32_t g, d;
};

static int cmp_pair(const void *pa, const void *pb)
{
	const struct pair *a = pa, *b = pb;

	if (a->iou != b->iou)
		return a->iou > b->iou ? -1 : 1;
	if (a->g != b->g)
		return a->g < b->g ? -1 : 1;
	return (a->d > b->d) - (a->d < b->d);
}

static double iou_xyxy(const struct vt_eval_gt *g, const struct vt_eval_dt *d)
{
	double w = (d->x2 < g->x2 ? d->x2 : g->x2) - (d->x1 > g->x1 ? d->x1
								    : g->x1);
	double h = (d->y2 < g->y2 ? d->y2 : g->y2) - (d->y1 > g->y1 ? d->y1
								    : g->y1);
	double i;

	if (w <= 0 || h <= 0)
		return 0;
	i = w * h;
	return i / (g->w * g->h + d->w * d->h - i);
}

int vt_confusion_eval(struct vt_confusion *c, const struct vt_eval_set *s,
		      double iou, double score, struct vt_err *err)
{
	size_t n = s->n_cat + 1, cap = 0;
	uint32_t *gi = vt_malloc_array(s->n_gt + 1, sizeof *gi);
	uint32_t *di = vt_malloc_array(s->n_dt + 1, sizeof *di);
	size_t *gs = vt_calloc_array(s->n_img + 2, sizeof *gs);
	size_t *ds = vt_calloc_array(s->n_img + 2, sizeof *ds);
	uint8_t *gu = NULL, *du = NULL;
	struct pair *pr = NULL;
	int rc = 0;

	memset(c, 0, sizeof *c);
	c->n = s->n_cat;
	c->iou = iou;
	c->score = score;
	c->count = vt_calloc_array(n * n, sizeof *c->count);
	gu = calloc(s->n_gt + 1, 1);
	du = calloc(s->n_dt + 1, 1);
	if (!gi || !di || !gs || !ds || !c->count || !gu || !du) {
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		goto out;
	}
	/* counting sort of the boxes by image, input order within */
	for (size_t i = 0; i < s->n_gt; i++)
		if (!s->gt[i].crowd && !s->gt[i].difficult)
			gs[s->gt[i].img + 2]++;
	for (size_t i = 0; i < s->n_dt; i++)
		if (s->dt[i].score >= score)
			ds[s->dt[i].img + 2]++;
	for (size_t i = 2; i < s->n_img + 2; i++) {
		gs[i] += gs[i - 1];
		ds[i] += ds[i - 1];
	}
	for (size_t i = 0; i < s->n_gt; i++)
		if (!s->gt[i].crowd && !s->gt[i].difficult)
			gi[gs[s->gt[i].img + 1]++] = (uint32_t)i;
	for (size_t i = 0; i < s->n_dt; i++)
		if (s->dt[i].score >= score)
			di[ds[s->dt[i].img + 1]++] = (uint32_t)i;
	for (size_t m = 0; m < s->n_img; m++) {
		size_t g0 = gs[m], g1 = gs[m + 1], d0 = ds[m], d1 = ds[m + 1];
		size_t np = 0, need;

		if (vt_mul_overflow_size(g1 - g0, d1 - d0, &need)) {
			rc = vt_err_set(err, VT_ENOMEM, "too many boxes");
			goto out;
		}
		if (need > cap) {
			free(pr);
			cap = need * 2;
			pr = vt_malloc_array(cap, sizeof *pr);
			if (!pr) {
				rc = vt_err_set(err, VT_ENOMEM, "out of memory");
				goto out;
			}
		}
		for (size_t a = g0; a < g1; a++)
			for (size_t b = d0; b < d1; b++) {
				double v = iou_xyxy(&s->gt[gi[a]], &s->dt[di[b]]);

				if (v >= iou && v > 0)
					pr[np++] = (struct pair){ v, gi[a], di[b] };
			}
		if (np)
			qsort(pr, np, sizeof *pr, cmp_pair);
		for (size_t j = 0; j < np; j++) {
			if (gu[pr[j].g] || du[pr[j].d])
				continue;
			gu[pr[j].g] = du[pr[j].d] = 1;
			c->count[s->gt[pr[j].g].cat * n + s->dt[pr[j].d].cat]++;
		}
		for (size_t a = g0; a < g1; a++)
			if (!gu[gi[a]])
				c->count[s->gt[gi[a]].cat * n + n - 1]++;
		for (size_t b = d0; b < d1; b++)
			if (!du[di[b]])
				c->count[(n - 1) * n + s->dt[di[b]].cat]++;
	}
out:
	free(gi);
	free(di);
	free(gs);
	free(ds);
	free(gu);
	free(du);
	free(pr);
	if (rc)
		vt_confusion_release(c);
	return rc;
}

static int csv_field(FILE *f, const char *s)
{
	int bad = 0;

	if (!strpbrk(s, ",\"\n\r"))
		return fputs(s, f) < 0;
	bad |= fputc('"', f) < 0;
	for (; *s; s++)
		bad |= (*s == '"' ? fputs("\"\"", f) : fputc(*s, f)) < 0;
	return bad | (fputc('"', f) < 0);
}

int vt_confusion_write(FILE *f, const struct vt_confusion *c,
		       const struct vt_eval_set *s, bool csv)
{
	size_t n = c->n + 1, wid = 10;
	int bad = 0;

	for (size_t k = 0; k < c->n; k++)
		if (strlen(s->cat_name[k]) > wid)
			wid = strlen(s->cat_name[k]);
	if (csv) {
		bad |= fputs("truth\\predicted", f) < 0;
		for (size_t j = 0; j < n; j++) {
			bad |= fputc(',', f) < 0;
			bad |= csv_field(f, j < c->n ? s->cat_name[j]
						    : "background");
		}
		bad |= fputc('\n', f) < 0;
	} else {
		bad |= fprintf(f, "confusion matrix at IoU >= %g, score >= %g: "
			       "rows ground truth, columns predictions\n",
			       c->iou, c->score) < 0;
		bad |= fprintf(f, "%-*s", (int)wid, "") < 0;
		for (size_t j = 0; j < n; j++)
			bad |= fprintf(f, " %*s", (int)wid, j < c->n ?
				       s->cat_name[j] : "background") < 0;
		bad |= fputc('\n', f) < 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = i < c->n ? s->cat_name[i] : "background";

		if (csv)
			bad |= csv_field(f, name);
		else
			bad |= fprintf(f, "%-*s", (int)wid, name) < 0;
		for (size_t j = 0; j < n; j++) {
			unsigned long long v = c->count[i * n + j];

			bad |= (csv ? fprintf(f, ",%llu", v)
				    : fprintf(f, " %*llu", (int)wid, v)) < 0;
		}
		bad |= fputc('\n', f) < 0;
	}
	return bad ? -1 : 0;
}
