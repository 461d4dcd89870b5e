/* test_eval_curves.c - precision-recall curve files and the confusion
 * matrix (derived by hand on the records case, see below). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/coco.h"
#include "vt/eval.h"

#include "helpers.h"

static void load(struct vt_eval_set *s)
{
	size_t n;
	unsigned char *b = t_slurp(t_data_path("mapeval/records", "gt.json"),
				   &n);
	struct vt_err err;

	vt_eval_set_init(s);
	cr_assert_eq(vt_coco_read_gt(s, (char *)b, n, "gt", &err), 0);
	free(b);
	b = t_slurp(t_data_path("mapeval/records", "dt.json"), &n);
	cr_assert_eq(vt_coco_read_dt(s, (char *)b, n, "dt", &err), 0);
	free(b);
}

/* Per image, pairs of IoU >= 0.5 taken greedily by IoU:
 *   a.jpg: dog-dog 0.907, cat-cat 0.864 (cat GT - dog det 0.643 comes
 *          later, the GT is taken): the dog det 2,2,20,20 and the cat det
 *          40,30,60,46 are background; the crowd region does not count
 *   b.jpg: cat-cat 0.867 and 0.578, dog-dog 0.847; dog det 50,2,70,20
 *          is background
 *   c.jpg: the dog GT pairs with the cat det (IoU 1) before the dog det
 *          (0.902), which is background
 * At score >= 0.5 the 0.3 and 0.25 detections drop out. */
Test(eval_curves, confusion_by_hand)
{
	static const uint64_t want[9] = { 3, 0, 0, 1, 2, 0, 1, 3, 0 };
	static const uint64_t want50[9] = { 3, 0, 0, 1, 2, 0, 0, 2, 0 };
	struct vt_eval_set s;
	struct vt_confusion c;
	struct vt_err err;
	char *buf = NULL;
	size_t len;
	FILE *f;

	load(&s);
	cr_assert_eq(vt_confusion_eval(&c, &s, 0.5, 0.25, &err), 0);
	cr_assert_eq(c.n, 2);
	for (int i = 0; i < 9; i++)
		cr_expect_eq(c.count[i], want[i], "cell %d: %llu", i,
			     (unsigned long long)c.count[i]);
	f = open_memstream(&buf, &len);
	cr_assert_eq(vt_confusion_write(f, &c, &s, true), 0);
	fclose(f);
	cr_assert_str_eq(buf, "truth\\predicted,cat,dog,background\n"
			 "cat,3,0,0\ndog,1,2,0\nbackground,1,3,0\n");
	free(buf);
	vt_confusion_release(&c);
	cr_assert_eq(vt_confusion_eval(&c, &s, 0.5, 0.5, &err), 0);
	for (int i = 0; i < 9; i++)
		cr_expect_eq(c.count[i], want50[i], "score 0.5 cell %d", i);
	vt_confusion_release(&c);
	vt_eval_set_release(&s);
}

Test(eval_curves, pr_csv_is_the_precision_array)
{
	struct vt_eval_set s;
	struct vt_coco_params p;
	struct vt_coco_matches m;
	struct vt_coco_result r;
	struct vt_err err;
	char *buf = NULL, *line, *save = NULL;
	size_t len, rows = 0;
	FILE *f;

	load(&s);
	vt_coco_params_default(&p);
	cr_assert_eq(vt_coco_match(&m, &s, &p, &err), 0);
	cr_assert_eq(vt_coco_accumulate(&r, &m, &p, &err), 0);
	f = open_memstream(&buf, &len);
	cr_assert_eq(vt_coco_write_pr_csv(f, &r, &p, 1), 0);
	fclose(f);
	line = strtok_r(buf, "\n", &save);
	cr_assert_str_eq(line, "recall,p@0.50,p@0.55,p@0.60,p@0.65,p@0.70,"
			 "p@0.75,p@0.80,p@0.85,p@0.90,p@0.95");
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *e;
		double rec = strtod(line, &e);

		cr_assert_eq(rec, p.rec[rows]);
		for (size_t t = 0; t < r.T; t++) {
			double v = strtod(e + 1, &e);
			size_t at = (((t * r.R + rows) * r.K + 1) * r.A) * r.M +
				    r.M - 1;

			cr_assert_eq(v, r.precision[at], "row %zu t %zu", rows, t);
		}
		rows++;
	}
	cr_assert_eq(rows, 101);
	free(buf);
	f = open_memstream(&buf, &len);
	cr_assert_eq(vt_coco_write_pr_svg(f, &r, &p, 1, "a <b> & \"c\""), 0);
	fclose(f);
	cr_assert(strncmp(buf, "<svg ", 5) == 0);
	cr_assert(strstr(buf, "a &lt;b&gt; &amp; &quot;c&quot;</text>"));
	cr_assert_eq(strstr(buf, "<polyline") != NULL, 1);
	cr_assert(strcmp(buf + len - 7, "</svg>\n") == 0);
	free(buf);
	vt_coco_result_release(&r);
	vt_coco_matches_release(&m);
	vt_eval_set_release(&s);
}
