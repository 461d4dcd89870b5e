/* select.c - what to evaluate: area ranges and a subset of the classes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/eval.h"
#include "vt/size.h"

static int parse_num(const char *s, size_t n, double *v)
{
	char buf[64], *end;

	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*v = strtod(buf, &end);
	return *end || !isfinite(*v) ? -1 : 0;
}

/* The whole string as a number. */
static int full_num(const char *s, double *v)
{
	return parse_num(s, strlen(s), v);
}

int vt_eval_parse_ious(const char *s, double *v, size_t max, size_t *n)
{
	char buf[512], *save = NULL, *t;
	double a, b, st;

	if (strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	if (strchr(buf, ':')) {
		char *p1 = strchr(buf, ':'), *p2 = strchr(p1 + 1, ':');
		double cnt;

		if (!p2)
			return -1;
		*p1 = *p2 = '\0';
		if (full_num(buf, &a) || full_num(p1 + 1, &b) ||
		    full_num(p2 + 1, &st) || !(st > 0) || b < a)
			return -1;
		cnt = round((b - a) / st) + 1;
		if (!(cnt >= 1 && cnt <= (double)max))
			return -1;
		*n = (size_t)cnt;
		vt_linspace(v, *n, a, b);
	} else {
		*n = 0;
		for (t = strtok_r(buf, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			if (*n == max || full_num(t, &v[*n]))
				return -1;
			(*n)++;
		}
	}
	for (size_t i = 0; i < *n; i++)
		if (!(v[i] >= 0 && v[i] <= 1) || (i && v[i] <= v[i - 1]))
			return -1;
	return *n ? 0 : -1;
}

int vt_eval_parse_maxdets(const char *s, unsigned *md)
{
	const char *p = s;

	for (int i = 0; i < 3; i++) {
		unsigned long v = 0;
		const char *q = p;

		while (*q >= '0' && *q <= '9' && v <= 1000000)
			v = v * 10 + (unsigned long)(*q++ - '0');
		if (q == p || v == 0 || v > 1000000 || (i && v <= md[i - 1]) ||
		    *q != (i < 2 ? ',' : '\0'))
			return -1;
		md[i] = (unsigned)v;
		p = q + 1;
	}
	return 0;
}

int vt_coco_params_areas(struct vt_coco_params *p, const char *spec,
			 struct vt_err *err)
{
	size_t n = 1;
	const char *s = spec;

	strcpy(p->area_lbl[0], "all");
	p->area[0][0] = 0;
	p->area[0][1] = 1e10;
	while (*s) {
		const char *c = strchr(s, ','), *e = c ? c : s + strlen(s);
		const char *eq = memchr(s, '=', (size_t)(e - s)), *col;
		double lo, hi;
		size_t a, ll;

		col = eq ? memchr(eq, ':', (size_t)(e - eq)) : NULL;
		ll = eq ? (size_t)(eq - s) : 0;
		if (!eq || !col || ll == 0 || ll >= sizeof p->area_lbl[0] ||
		    parse_num(eq + 1, (size_t)(col - eq - 1), &lo) ||
		    parse_num(col + 1, (size_t)(e - col - 1), &hi) || lo < 0 ||
		    hi < lo)
			return vt_err_set(err, VT_EINVAL, "area range '%.*s' is "
					  "not LABEL=MIN:MAX with 0 <= MIN <= "
					  "MAX", (int)(e - s), s);
		for (a = 0; a < n; a++)
			if (strncmp(p->area_lbl[a], s, ll) == 0 &&
			    p->area_lbl[a][ll] == '\0')
				break;
		if (a && a < n)
			return vt_err_set(err, VT_EINVAL, "area range '%.*s' "
					  "given twice", (int)ll, s);
		if (a == n && n == VT_COCO_MAX_AREA)
			return vt_err_set(err, VT_EINVAL, "more than %d area "
					  "ranges", VT_COCO_MAX_AREA);
		memcpy(p->area_lbl[a], s, ll);
		p->area_lbl[a][ll] = '\0';
		p->area[a][0] = lo;
		p->area[a][1] = hi;
		if (a == n)
			n++;
		s = c ? c + 1 : e;
		if (c && !*s)
			return vt_err_set(err, VT_EINVAL, "area ranges end "
					  "with ','");
	}
	p->n_area = n;
	return 0;
}

/* Index of the category named t (or, failing that, of id t). */
static long find_cat(const struct vt_eval_set *s, const char *t, size_t n)
{
	char buf[32], *end;
	long long id;

	for (size_t k = 0; k < s->n_cat; k++)
		if (strncmp(s->cat_name[k], t, n) == 0 &&
		    s->cat_name[k][n] == '\0')
			return (long)k;
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, t, n);
	buf[n] = '\0';
	id = strtoll(buf, &end, 10);
	if (*end)
		return -1;
	for (size_t k = 0; k < s->n_cat; k++)
		if (s->cat_id[k] == id)
			return (long)k;
	return -1;
}

int vt_eval_set_keep(struct vt_eval_set *s, const char *list,
		     struct vt_err *err)
{
	long *map = vt_malloc_array(s->n_cat + 1, sizeof *map);
	size_t n = 0, j;
	const char *p = list;

	if (!map)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	for (size_t k = 0; k < s->n_cat; k++)
		map[k] = -1;
	for (;;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		long k = find_cat(s, p, l);

		if (k < 0) {
			free(map);
			return vt_err_set(err, VT_EINVAL, "--classes: '%.*s' is "
					  "not a class of the ground truth", (int)l, p);
		}
		map[k] = 0;
		if (!c)
			break;
		p = c + 1;
	}
	for (size_t k = 0; k < s->n_cat; k++) {
		if (map[k] < 0) {
			free(s->cat_name[k]);
			continue;
		}
		map[k] = (long)n;
		s->cat_id[n] = s->cat_id[k];
		s->cat_name[n++] = s->cat_name[k];
	}
	s->n_cat = n;
	for (size_t i = j = 0; i < s->n_gt; i++)
		if (map[s->gt[i].cat] >= 0) {
			s->gt[j] = s->gt[i];
			s->gt[j++].cat = (uint32_t)map[s->gt[i].cat];
		}
	s->n_gt = j;
	for (size_t i = j = 0; i < s->n_dt; i++)
		if (map[s->dt[i].cat] >= 0) {
			s->dt[j] = s->dt[i];
			s->dt[j++].cat = (uint32_t)map[s->dt[i].cat];
		}
	s->n_dt = j;
	free(map);
	return 0;
}
