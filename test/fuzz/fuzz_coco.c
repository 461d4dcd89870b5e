/* fuzz_coco.c - libFuzzer target for the COCO JSON reader and evaluation.
 *
 * The input is read as ground truth, and as a results list against a
 * fixed ground truth.  Either it is refused with a one-line message, or
 * every stat of the evaluation lies in [0, 1] or is -1.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt/coco.h"
#include "vt/eval.h"

static const char gt[] =
	"{\"images\":[{\"id\":1},{\"id\":2},{\"id\":3}],"
	"\"categories\":[{\"id\":1,\"name\":\"a\"},{\"id\":2,\"name\":\"b\"}],"
	"\"annotations\":["
	"{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[10,10,20,20],"
	"\"area\":400,\"iscrowd\":0},"
	"{\"id\":2,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100],"
	"\"area\":10000,\"iscrowd\":1},"
	"{\"id\":0,\"image_id\":2,\"category_id\":2,\"bbox\":[5,5,50,30],"
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
	struct vt_err err;

	vt_coco_params_default(&p);
	if (vt_coco_match(&m, s, &p, &err))
		abort();
	if (vt_coco_accumulate(&r, &m, &p, &err))
		abort();
	vt_coco_summarize(&r, &p);
	for (int i = 0; i < 12; i++)
		if (!(r.stats[i] == -1 || (r.stats[i] >= 0 && r.stats[i] <= 1)))
			abort();
	vt_coco_result_release(&r);
	vt_coco_matches_release(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_eval_set s;
	struct vt_err err;

	vt_eval_set_init(&s);
	if (vt_coco_read_gt(&s, (const char *)data, size, "fuzz", &err))
		check_msg(&err);
	else
		evaluate(&s);
	vt_eval_set_release(&s);

	vt_eval_set_init(&s);
	if (vt_coco_read_gt(&s, gt, strlen(gt), "gt", &err))
		abort();
	if (vt_coco_read_dt(&s, (const char *)data, size, "fuzz", &err))
		check_msg(&err);
	else
		evaluate(&s);
	vt_eval_set_release(&s);
	return 0;
}
