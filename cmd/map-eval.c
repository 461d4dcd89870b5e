/* map-eval - COCO and PASCAL VOC mean Average Precision of detections. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/cli.h"
#include "vt/coco.h"
#include "vt/eval.h"
#include "vt/evalio.h"
#include "vt/outfile.h"

static const char usage[] =
	"usage: map-eval --gt GT --dt DT [--gt-format F] [--dt-format F]\n"
	"       [--names FILE] [--images DIR | --sizes FILE]\n"
	"       [--protocol coco|voc|voc07]\n"
	"       [--iou-thresholds LIST] [--max-dets A,B,C]\n"
	"       [--area-ranges LIST] [--classes LIST] [--no-legacy-pixel]\n"
	"       [--fix-id0] [--json | --csv] [--fail-under X] [--pr-curves DIR]\n"
	"       [--confusion-matrix [--cm-iou X] [--cm-score X]]\n"
	"       [--partial [--shard K/N]] [-o FILE] [-hqv] [--version]\n"
	"       map-eval --merge [options] SHARD ...\n";

static const char help[] =
	"\nMean Average Precision of detections DT against ground truth GT,\n"
	"exactly as pycocotools (COCO) or Cartucho/mAP (VOC) computes it.\n"
	"GT: COCO instances JSON, detection records, or a directory of\n"
	"VOC-style or YOLO .txt files; DT: a COCO results list, detection\n"
	"records (yolo-detect --format tensor), or a directory of .txt files;\n"
	"'-' is standard input.\n\n"
	"  --gt-format F       coco, tensor, voc or yolo (default: by content)\n"
	"  --dt-format F       the same for DT\n"
	"  --names FILE        class names, one a line: record class c is the\n"
	"                      category named by line c+1 (default: the\n"
	"                      category of index c in id order)\n"
	"  --images DIR        YOLO labels: image sizes from these images\n"
	"  --sizes FILE        YOLO labels: lines NAME WIDTH HEIGHT\n"
	"  --protocol P        coco (default for COCO JSON), voc (VOC2010+\n"
	"                      all-point, default for text), voc07 (11-point)\n"
	"  --iou-thresholds L  START:STOP:STEP or a comma list (coco:\n"
	"                      0.5:0.95:0.05; voc: one value, 0.5)\n"
	"  --max-dets A,B,C    detections kept per image and class (1,10,100)\n"
	"  --area-ranges L     coco: LABEL=MIN:MAX,... on the GT area, bounds\n"
	"                      included (small=0:1024,medium=1024:9216,\n"
	"                      large=9216:1e10); all=0:1e10 is always there\n"
	"  --classes L         evaluate only these classes (names or ids)\n"
	"  --no-legacy-pixel   voc: widths are x2-x1, not x2-x1+1\n"
	"  --fix-id0           count matches to a GT annotation with id 0\n"
	"                      (pycocotools does not)\n"
	"  --json, --csv       one JSON object, or the per-class table as CSV\n"
	"  --fail-under X      exit 1 when the headline mAP is below X\n"
	"  --pr-curves DIR     coco: per-class precision-recall curves, CSV\n"
	"                      and SVG, in DIR\n"
	"  --confusion-matrix  instead of mAP, counts of (true class,\n"
	"                      predicted class or background) at --cm-iou X\n"
	"                      (0.5) and --cm-score X (0.25); --csv as CSV\n"
	"  --partial           write the evaluation state of the images as a\n"
	"                      tensor record (a shard), not the result\n"
	"  --shard K/N         --partial: the K-th of N blocks of the images\n"
	"  --merge             the result of shards that cover every image\n"
	"                      once: exactly that of a single run\n"
	"  -o FILE             write to FILE ('-': standard output)\n"
	"  -q, -v              quieter; more detail\n"
	"  -h, --help          this help;  --version  the version\n";

enum { OPT_GT = 256, OPT_DT, OPT_GTFMT, OPT_DTFMT, OPT_NAMES, OPT_IMAGES, OPT_SIZES, OPT_AREAS, OPT_CLASSES, OPT_PARTIAL, OPT_SHARD, OPT_MERGE, OPT_PR, OPT_CM, OPT_CMIOU, OPT_CMSCORE, OPT_PROTOCOL, OPT_IOU, OPT_MAXDETS,
       OPT_NOLEGACY, OPT_FIXID0, OPT_JSON, OPT_CSV, OPT_FAILUNDER,
       OPT_VERSION };

enum proto { P_AUTO, P_COCO, P_VOC, P_VOC07 };

struct opts {
	const char *gt, *dt, *out, *names, *images, *sizes;
	enum vt_eval_fmt gt_fmt, dt_fmt;
	enum proto proto;
	const char *iou, *classes;
	struct vt_coco_params coco;
	struct vt_voc_params voc;
	bool json, csv, has_fail, partial, merge, confusion;
	const char *pr_dir;
	double cm_iou, cm_score;
	uint64_t shard_k, shard_n;
	char **shards;
	size_t n_shards;
	double fail_under;
};

static int load(struct vt_eval_set *s, struct opts *o, struct vt_err *err)
{
	struct vt_eval_inputs in = { o->gt, o->dt, o->gt_fmt, o->dt_fmt,
				     NULL, 0, o->images, o->sizes };
	char **names = NULL;
	size_t n = 0;
	int rc = o->names ? vt_names_read(o->names, &names, &n, err) : 0;

	in.names = names;
	in.n_names = n;
	if (!rc)
		rc = vt_eval_load(s, &in, err);
	if (!rc && o->proto == P_AUTO)
		o->proto = in.gt_fmt == VT_EVAL_VOC ? P_VOC : P_COCO;
	if (!rc && o->classes)
		rc = vt_eval_set_keep(s, o->classes, err);
	vt_names_free(names, n);
	return rc;
}

static int run(struct opts *o, int *exit_code, struct vt_err *err)
{
	struct vt_eval_set s;
	struct vt_coco_matches m = { 0 };
	struct vt_coco_result res = { 0 };
	struct vt_voc_result vres = { 0 };
	struct vt_eval_report rep = { 0 };
	struct vt_outfile of = { 0 };
	struct vt_confusion cm = { 0 };
	int rc;

	vt_eval_set_init(&s);
	if (o->merge) {
		rc = vt_coco_shards_merge((const char *const *)o->shards,
					  o->n_shards, &s, &m, &o->coco, err);
		o->proto = P_COCO;
	} else {
		rc = load(&s, o, err);
	}
	if (!rc && s.n_dt_dropped)
		vt_cli_warn("'%s': %zu detections of categories not in '%s' "
			    "ignored", o->dt, s.n_dt_dropped, o->gt);
	if (!rc && s.n_gt_id0 && o->proto == P_COCO && !o->coco.fix_id0)
		vt_cli_warn("'%s': %zu annotations have id 0; as pycocotools, "
			    "their matches count as false positives "
			    "(--fix-id0 counts them)", o->gt, s.n_gt_id0);
	if (!rc && o->partial) {
		uint64_t lo = (o->shard_k - 1) * (uint64_t)s.n_img / o->shard_n;
		uint64_t hi = o->shard_k * (uint64_t)s.n_img / o->shard_n;

		if (o->proto != P_COCO)
			rc = vt_err_set(err, VT_EINVAL, "--partial: only the "
					"coco protocol has shards");
		vt_eval_set_images(&s, (size_t)lo, (size_t)hi);
		if (!rc)
			rc = vt_coco_match(&m, &s, &o->coco, err);
		if (!rc)
			rc = vt_coco_shard_save(o->out ? o->out : "-", &s, &m,
						&o->coco, (size_t)lo,
						(size_t)hi, err);
		goto done;
	}
	if (!rc && o->proto == P_COCO) {
		if (!o->merge)
			rc = vt_coco_match(&m, &s, &o->coco, err);
		if (!rc)
			rc = vt_coco_accumulate(&res, &m, &o->coco, err);
		if (!rc) {
			vt_coco_summarize(&res, &o->coco);
			rc = vt_coco_report(&rep, &s, &m, &res, &o->coco, err);
		}
	} else if (!rc) {
		o->voc.mode = o->proto == P_VOC07 ? VT_VOC_11_POINT
						  : VT_VOC_ALL_POINT;
		rc = vt_voc_eval(&vres, &s, &o->voc, err);
		if (!rc)
			rc = vt_voc_report(&rep, &s, &vres, &o->voc, err);
	}
	if (!rc && o->pr_dir)
		rc = o->proto != P_COCO ? vt_err_set(err, VT_EINVAL, "--pr-curves:"
				" only the coco protocol has curves")
			: vt_coco_pr_curves(o->pr_dir, &s, &res, &o->coco, err);
	if (!rc && o->confusion)
		rc = vt_confusion_eval(&cm, &s, o->cm_iou, o->cm_score, err);
	if (!rc)
		rc = vt_outfile_open(&of, o->out, err);
	if (!rc) {
		int w = o->confusion ? vt_confusion_write(of.fp, &cm, &s, o->csv)
			: o->json ? vt_eval_write_json(of.fp, &rep)
			: o->csv ? vt_eval_write_csv(of.fp, &rep)
			: vt_eval_write_text(of.fp, &rep,
					     o->proto == P_COCO ? &res : NULL);

		rc = w ? vt_err_sys(err, VT_EIO, "'%s': write error",
				    o->out ? o->out : "<stdout>")
		       : vt_outfile_commit(&of, err);
		if (rc)
			vt_outfile_abort(&of);
	}
	if (!rc && o->has_fail && !(rep.map >= o->fail_under)) {
		vt_cli_msg("mAP %.4f is below %.4f", rep.map, o->fail_under);
		*exit_code = VT_EXIT_NO;
	}
done:
	vt_confusion_release(&cm);
	vt_eval_report_release(&rep);
	vt_coco_result_release(&res);
	vt_coco_matches_release(&m);
	vt_voc_result_release(&vres);
	vt_eval_set_release(&s);
	return rc;
}

int cmd_map_eval(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "gt", required_argument, NULL, OPT_GT },
		{ "dt", required_argument, NULL, OPT_DT },
		{ "gt-format", required_argument, NULL, OPT_GTFMT },
		{ "dt-format", required_argument, NULL, OPT_DTFMT },
		{ "names", required_argument, NULL, OPT_NAMES },
		{ "images", required_argument, NULL, OPT_IMAGES },
		{ "area-ranges", required_argument, NULL, OPT_AREAS },
		{ "classes", required_argument, NULL, OPT_CLASSES },
		{ "partial", no_argument, NULL, OPT_PARTIAL },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "pr-curves", required_argument, NULL, OPT_PR },
		{ "confusion-matrix", no_argument, NULL, OPT_CM },
		{ "cm-iou", required_argument, NULL, OPT_CMIOU },
		{ "cm-score", required_argument, NULL, OPT_CMSCORE },
		{ "sizes", required_argument, NULL, OPT_SIZES },
		{ "protocol", required_argument, NULL, OPT_PROTOCOL },
		{ "iou-thresholds", required_argument, NULL, OPT_IOU },
		{ "max-dets", required_argument, NULL, OPT_MAXDETS },
		{ "no-legacy-pixel", no_argument, NULL, OPT_NOLEGACY },
		{ "fix-id0", no_argument, NULL, OPT_FIXID0 },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "fail-under", required_argument, NULL, OPT_FAILUNDER },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .proto = P_AUTO, .shard_k = 1, .shard_n = 1,
			  .cm_iou = 0.5, .cm_score = 0.25 };
	struct vt_err err = { 0 };
	int c, code = 0;

	vt_cli_init("map-eval");
	vt_coco_params_default(&o.coco);
	vt_voc_params_default(&o.voc);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqvo:", longs, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); fputs(help, stdout); return vt_cli_close_stdout();
		case OPT_VERSION: vt_cli_version(); return vt_cli_close_stdout();
		case 'q': vt_cli_verbosity = -1; break;
		case 'v': vt_cli_verbosity = 1; break;
		case 'o': o.out = optarg; break;
		case OPT_GT: o.gt = optarg; break;
		case OPT_DT: o.dt = optarg; break;
		case OPT_NAMES: o.names = optarg; break;
		case OPT_IMAGES: o.images = optarg; break;
		case OPT_SIZES: o.sizes = optarg; break;
		case OPT_CLASSES: o.classes = optarg; break;
		case OPT_PARTIAL: o.partial = true; break;
		case OPT_MERGE: o.merge = true; break;
		case OPT_PR: o.pr_dir = optarg; break;
		case OPT_CM: o.confusion = true; break;
		case OPT_CMIOU:
		case OPT_CMSCORE:
			if (vt_parse_double(optarg, c == OPT_CMIOU ? &o.cm_iou : &o.cm_score) ||
			    !(o.cm_iou > 0 && o.cm_iou <= 1) || !isfinite(o.cm_score))
				return vt_cli_usage_error("%s: '%s' is not a number (IoU in (0,1])",
							  c == OPT_CMIOU ? "--cm-iou" : "--cm-score", optarg);
			break;
		case OPT_SHARD: {
			char *sl = strchr(optarg, '/');

			if (!sl || (*sl = '\0', vt_parse_u64(optarg, &o.shard_k)) ||
			    vt_parse_u64(sl + 1, &o.shard_n) || o.shard_k == 0 ||
			    o.shard_k > o.shard_n || o.shard_n > 1000000)
				return vt_cli_usage_error("--shard: not K/N with 1 <= K <= N");
			break;
		}
		case OPT_AREAS:
			if (vt_coco_params_areas(&o.coco, optarg, &err))
				return vt_cli_usage_error("--area-ranges: %s", err.msg);
			break;
		case OPT_GTFMT:
		case OPT_DTFMT:
			if (vt_eval_fmt_parse(optarg, c == OPT_GTFMT ? &o.gt_fmt : &o.dt_fmt))
				return vt_cli_usage_error("%s: '%s' is not auto, coco, tensor, voc or yolo",
							  c == OPT_GTFMT ? "--gt-format" : "--dt-format", optarg);
			break;
		case OPT_NOLEGACY: o.voc.legacy_pixel = false; break;
		case OPT_FIXID0: o.coco.fix_id0 = true; break;
		case OPT_JSON: o.json = true; break;
		case OPT_CSV: o.csv = true; break;
		case OPT_IOU: o.iou = optarg; break;
		case OPT_PROTOCOL:
			if (strcmp(optarg, "coco") == 0) o.proto = P_COCO;
			else if (strcmp(optarg, "voc") == 0) o.proto = P_VOC;
			else if (strcmp(optarg, "voc07") == 0) o.proto = P_VOC07;
			else return vt_cli_usage_error("--protocol: '%s' is not coco, voc or voc07", optarg);
			break;
		case OPT_MAXDETS:
			if (vt_eval_parse_maxdets(optarg, o.coco.maxdet))
				return vt_cli_usage_error("--max-dets: '%s' is not three increasing positive numbers", optarg);
			break;
		case OPT_FAILUNDER:
			if (vt_parse_double(optarg, &o.fail_under) || !isfinite(o.fail_under))
				return vt_cli_usage_error("--fail-under: '%s' is not a number", optarg);
			o.has_fail = true;
			break;
		default: return vt_cli_bad_option(c, argv);
		}
	}
	if (o.merge) {
		o.shards = argv + optind;
		o.n_shards = (size_t)(argc - optind);
		if (!o.n_shards || o.gt || o.dt || o.partial)
			return vt_cli_usage_error("--merge takes shard files, without --gt, --dt and --partial");
		optind = argc;
		o.gt = o.dt = "-";
	}
	if (optind < argc)
		return vt_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (o.partial && (c = vt_cli_check_binary_stdout(o.out)))
		return c;
	if ((o.shard_n > 1) && !o.partial)
		return vt_cli_usage_error("--shard goes with --partial");
	if (!o.gt || !o.dt)
		return vt_cli_usage_error("%s", !o.gt && !o.dt ? "--gt and --dt are required"
					  : !o.gt ? "--dt without --gt: the ground truth is required"
					  : "--gt without --dt: the detections are required");
	if (!o.merge && strcmp(o.gt, "-") == 0 && strcmp(o.dt, "-") == 0)
		return vt_cli_usage_error("standard input can be only one of --gt and --dt");
	if (o.images && o.sizes)
		return vt_cli_usage_error("--images and --sizes exclude each other");
	if (o.confusion && (o.merge || o.partial || o.json))
		return vt_cli_usage_error("--confusion-matrix needs the boxes: not with --merge, --partial or --json");
	if (o.json && o.csv)
		return vt_cli_usage_error("--json and --csv exclude each other");
	if (o.iou) {
		double v[VT_COCO_MAX_IOU];
		size_t n;

		if (vt_eval_parse_ious(o.iou, v, VT_COCO_MAX_IOU, &n))
			return vt_cli_usage_error("--iou-thresholds: '%s' is not START:STOP:STEP or an increasing list in [0,1]", o.iou);
		memcpy(o.coco.iou, v, n * sizeof *v);
		o.coco.n_iou = n;
		o.voc.iou = v[0];
		if (n != 1 && (o.proto == P_VOC || o.proto == P_VOC07))
			return vt_cli_usage_error("--iou-thresholds: the voc protocols take one threshold");
	}
	if (run(&o, &code, &err))
		return vt_cli_fail(&err);
	c = vt_cli_close_stdout();
	return c ? c : code;
}

int main(int argc, char **argv) { return cmd_map_eval(argc, argv); }
