/* test_eval_shard.c - --partial / --merge: every split of each fixture case
 * into 1..8 blocks of images, merged in any order, gives the single run's
 * precision and recall arrays and stats bit for bit. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt/coco.h"
#include "vt/eval.h"
#include "vt/record.h"

#include "helpers.h"

static void load(struct vt_eval_set *s, const char *dir)
{
	size_t n;
	unsigned char *b = t_slurp(t_data_path(dir, "gt.json"), &n);
	struct vt_err err;

	vt_eval_set_init(s);
	cr_assert_eq(vt_coco_read_gt(s, (char *)b, n, "gt", &err), 0, "%s",
		     err.msg);
	free(b);
	b = t_slurp(t_data_path(dir, "dt.json"), &n);
	cr_assert_eq(vt_coco_read_dt(s, (char *)b, n, "dt", &err), 0, "%s",
		     err.msg);
	free(b);
}

static void result(const struct vt_coco_matches *m,
		   const struct vt_coco_params *p, struct vt_coco_result *r)
{
	struct vt_err err;

	cr_assert_eq(vt_coco_accumulate(r, m, p, &err), 0, "%s", err.msg);
	vt_coco_summarize(r, p);
}

/* Shard k of n of the case into path. */
static void shard(const char *dir, const struct vt_coco_params *p, size_t k,
		  size_t n, const char *path)
{
	struct vt_eval_set s;
	struct vt_coco_matches m;
	struct vt_err err;
	size_t lo, hi;

	load(&s, dir);
	lo = k * s.n_img / n;
	hi = (k + 1) * s.n_img / n;
	vt_eval_set_images(&s, lo, hi);
	cr_assert_eq(vt_coco_match(&m, &s, p, &err), 0, "%s", err.msg);
	cr_assert_eq(vt_coco_shard_save(path, &s, &m, p, lo, hi, &err), 0,
		     "%s", err.msg);
	vt_coco_matches_release(&m);
	vt_eval_set_release(&s);
}

static bool same_params(const struct vt_coco_params *a,
			const struct vt_coco_params *b)
{
	if (a->n_iou != b->n_iou || a->n_rec != b->n_rec ||
	    a->n_area != b->n_area || a->n_maxdet != b->n_maxdet ||
	    a->fix_id0 != b->fix_id0 ||
	    memcmp(a->iou, b->iou, a->n_iou * sizeof *a->iou) ||
	    memcmp(a->rec, b->rec, a->n_rec * sizeof *a->rec) ||
	    memcmp(a->area, b->area, a->n_area * sizeof *a->area) ||
	    memcmp(a->maxdet, b->maxdet, sizeof a->maxdet))
		return false;
	for (size_t i = 0; i < a->n_area; i++)
		if (strcmp(a->area_lbl[i], b->area_lbl[i]))
			return false;
	return true;
}

static void check_splits(const char *dir, const struct vt_coco_params *p)
{
	struct vt_eval_set s;
	struct vt_coco_matches m;
	struct vt_coco_result r;
	struct vt_err err;
	char tmpl[] = "/tmp/vt-shard-XXXXXX", path[8][64];
	const char *paths[8];

	cr_assert_not_null(mkdtemp(tmpl));
	load(&s, dir);
	cr_assert_eq(vt_coco_match(&m, &s, p, &err), 0);
	result(&m, p, &r);
	for (size_t n = 1; n <= 8; n++) {
		struct vt_eval_set ms;
		struct vt_coco_matches mm;
		struct vt_coco_params mp;
		struct vt_coco_result mr;

		for (size_t k = 0; k < n; k++) {
			snprintf(path[k], sizeof path[k], "%s/s%zu.vts", tmpl, k);
			shard(dir, p, k, n, path[k]);
			paths[n - 1 - k] = path[k];   /* merged in reverse */
		}
		vt_eval_set_init(&ms);
		cr_assert_eq(vt_coco_shards_merge(paths, n, &ms, &mm, &mp,
						  &err), 0, "%s", err.msg);
		result(&mm, &mp, &mr);
		cr_assert(same_params(&mp, p), "%s: params", dir);
		cr_assert_eq(mr.K, r.K);
		cr_assert_eq(memcmp(mr.stats, r.stats, sizeof r.stats), 0,
			     "%s: %zu shards: stats differ", dir, n);
		cr_assert_eq(memcmp(mr.precision, r.precision, r.T * r.R *
				    r.K * r.A * r.M * sizeof(double)), 0);
		cr_assert_eq(memcmp(mr.recall, r.recall, r.T * r.K * r.A *
				    r.M * sizeof(double)), 0);
		cr_assert_eq(ms.n_gt, s.n_gt);
		cr_assert_eq(ms.n_dt, s.n_dt);
		cr_assert_eq(ms.n_img, s.n_img);
		for (size_t k = 0; k < s.n_cat; k++) {
			cr_assert_str_eq(ms.cat_name[k], s.cat_name[k]);
			cr_assert_eq(ms.cat_id[k], s.cat_id[k]);
			cr_assert_eq(mm.n_dt[k], m.n_dt[k]);
		}
		for (size_t k = 0; k < n; k++)
			unlink(path[k]);
		vt_coco_result_release(&mr);
		vt_coco_matches_release(&mm);
		vt_eval_set_release(&ms);
	}
	rmdir(tmpl);
	vt_coco_result_release(&r);
	vt_coco_matches_release(&m);
	vt_eval_set_release(&s);
}

Test(eval_shard, every_split_equals_the_single_run)
{
	static const char *cases[] = { "mapeval/c00_perfect",
		"mapeval/c01_basic", "mapeval/c02_empty_images",
		"mapeval/c03_crowd", "mapeval/c04_area_ranges",
		"mapeval/c05_maxdets", "mapeval/records" };
	struct vt_coco_params p;
	struct vt_err err;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		vt_coco_params_default(&p);
		check_splits(cases[i], &p);
	}
	/* other parameters travel with the shards */
	vt_coco_params_default(&p);
	p.fix_id0 = true;
	p.maxdet[2] = 3;
	vt_linspace(p.iou, 3, 0.3, 0.7);
	p.n_iou = 3;
	cr_assert_eq(vt_coco_params_areas(&p, "tiny=0:500,big=500:1e5", &err),
		     0);
	check_splits("mapeval/c05_maxdets", &p);
}

Test(eval_shard, coverage_and_mismatch_errors)
{
	struct vt_coco_params p, q;
	struct vt_eval_set s;
	struct vt_coco_matches m;
	struct vt_err err;
	char tmpl[] = "/tmp/vt-shard-XXXXXX", a[64], b[64], c[64], x[64];
	const char *dir = "mapeval/c01_basic";
	FILE *f;

	cr_assert_not_null(mkdtemp(tmpl));
	snprintf(a, sizeof a, "%s/a.vts", tmpl);
	snprintf(b, sizeof b, "%s/b.vts", tmpl);
	snprintf(c, sizeof c, "%s/c.vts", tmpl);
	snprintf(x, sizeof x, "%s/x.vts", tmpl);
	vt_coco_params_default(&p);
	q = p;
	q.maxdet[2] = 50;
	shard(dir, &p, 0, 3, a);
	shard(dir, &p, 2, 3, b);
	shard(dir, &q, 1, 3, c);
	vt_eval_set_init(&s);
	cr_assert_eq(vt_coco_shards_merge((const char *[]){ a, b }, 2, &s, &m,
					  &p, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "follow a gap: a shard is missing"), "%s",
		  err.msg);
	vt_eval_set_release(&s);
	cr_assert_eq(vt_coco_shards_merge((const char *[]){ a, a }, 2, &s, &m,
					  &p, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "are in another shard too"), "%s", err.msg);
	vt_eval_set_release(&s);
	cr_assert_eq(vt_coco_shards_merge((const char *[]){ a }, 1, &s, &m,
					  &p, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "a shard is missing"), "%s", err.msg);
	vt_eval_set_release(&s);
	cr_assert_eq(vt_coco_shards_merge((const char *[]){ a, c, b }, 3, &s,
					  &m, &p, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "shards of different evaluations (maxdet"),
		  "%s", err.msg);
	vt_eval_set_release(&s);
	f = fopen(x, "wb");
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_neq(vt_coco_shards_merge((const char *[]){ x }, 1, &s, &m,
					   &p, &err), 0);
	vt_eval_set_release(&s);
	{
		/* a record, but not a shard */
		struct vt_record r;
		struct vt_tensor t;

		vt_record_init(&r);
		cr_assert_eq(vt_tensor_init(&t, "score", VT_F64, 1,
					    (uint64_t[]){ 2 }, &err), 0);
		cr_assert_eq(vt_record_add(&r, &t, &err), 0);
		cr_assert_eq(vt_record_save(x, &r, &err), 0, "%s", err.msg);
		vt_record_release(&r);
	}
	cr_assert_eq(vt_coco_shards_merge((const char *[]){ x }, 1, &s, &m,
					  &p, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "not a map-eval shard: metadata"), "%s",
		  err.msg);
	vt_eval_set_release(&s);
	unlink(a);
	unlink(b);
	unlink(c);
	unlink(x);
	rmdir(tmpl);
}
