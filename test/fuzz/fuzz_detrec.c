/* fuzz_detrec.c - libFuzzer target for detection records as map-eval
 * input.
 *
 * The input is read as detection records against a fixed COCO ground
 * truth (with and without class names), and as ground-truth records.
 * Either it is refused with a one-line message, or every stat lies in
 * [0, 1] or is -1 and the confusion matrix counts every box once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt/coco.h"
#include "vt/detrec.h"
#include "vt/eval.h"

static const char gt[] =
	"{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\"},"
	"{\"id\":2,\"file_name\":\"d/b.jpg\"},{\"id\":3,\"file_name\":"
	"\"e/b.jpg\"}],\"categories\":[{\"id\":1,\"name\":\"a\"},"
	"{\"id\":2,\"name\":\"b\"}],\"annotations\":["
	"{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[10,10,20,20],"
	"\"area\":400,\"iscrowd\":0},"
	"{\"id\":2,\"image_id\":1,\"category_id\":2,\"bbox\":[0,0,100,100],"
	"\"area\":10000,\"iscrowd\":1},"
	"{\"id\":3,\"image_id\":2,\"category_id\":2,\"bbox\":[5,5,50,30],"
	"\"area\":1500,\"iscrowd\":0}]}";

static void check_msg(const struct vt_err *err)
{
	if (!err->msg[0] || strchr(err->msg, '\n'))
		abort();
}

static void evaluate(const struct vt_eval_set *s)
{
	struct vt_coco_params p;
	struct vt_coco_matches m;
	struct vt_coco_result r;
	struct vt_confusion c;
	struct vt_err err;
	uint64_t sum = 0, n_gt = 0, n_dt = 0;

	vt_coco_params_default(&p);
	if (vt_coco_match(&m, s, &p, &err))
		return;
	if (vt_coco_accumulate(&r, &m, &p, &err) == 0) {
		vt_coco_summarize(&r, &p);
		for (int i = 0; i < 12; i++)
			if (!(r.stats[i] == -1 ||
			      (r.stats[i] >= 0 && r.stats[i] <= 1)))
				abort();
		vt_coco_result_release(&r);
	}
	vt_coco_matches_release(&m);
	if (vt_confusion_eval(&c, s, 0.5, 0.25, &err) == 0) {
		size_t n = c.n + 1;

		for (size_t i = 0; i < s->n_gt; i++)
			n_gt += !s->gt[i].crowd && !s->gt[i].difficult;
		for (size_t i = 0; i < s->n_dt; i++)
			n_dt += s->dt[i].score >= 0.25;
		for (size_t i = 0; i < n * n; i++)
			sum += c.count[i];
		/* pairs count once, unpaired boxes once */
		if (sum > n_gt + n_dt || sum < (n_gt > n_dt ? n_gt : n_dt))
			abort();
		vt_confusion_release(&c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *names[] = { "b", "x", "a" };
	struct vt_eval_set s;
	struct vt_err err;

	for (int named = 0; named < 2; named++) {
		vt_eval_set_init(&s);
		if (vt_coco_read_gt(&s, gt, sizeof gt - 1, "gt", &err))
			abort();
		if (vt_detrec_read_dt(&s, data, size, "dt", named ? names : NULL,
				      named ? 3 : 0, &err))
			check_msg(&err);
		else
			evaluate(&s);
		vt_eval_set_release(&s);
	}
	vt_eval_set_init(&s);
	if (vt_detrec_read_gt(&s, data, size, "gt", NULL, 0, &err))
		check_msg(&err);
	else
		evaluate(&s);
	vt_eval_set_release(&s);
	return 0;
}
