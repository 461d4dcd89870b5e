/* iou - IoU, GIoU, DIoU or CIoU of every pair of two box sets. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vt/box.h"
#include "vt/cli.h"
#include "vt/outfile.h"
#include "vt/record.h"

static const char usage[] =
	"usage: iou [--metric iou|giou|diou|ciou] [--format xyxy|xywh|cxcywh]\n"
	"       [--pairwise] [--legacy-pixel] [-o FILE] [-hqv] [--version] A [B]\n";

static const char help[] =
	"\nThe n x m matrix of a metric between the boxes of A and of B (A with\n"
	"itself when B is left out), as text, one row a line.  A box set is a\n"
	"text file (4 numbers a line), a tensor record with a tensor 'boxes'\n"
	"[N,4], '-' for standard input, or one box inline: '0 0 10 10'.\n\n"
	"  --metric M      iou (default), giou, diou or ciou (torchvision.ops)\n"
	"  --format F      input boxes as xyxy (default), xywh or cxcywh\n"
	"  --pairwise      the n values of box i of A with box i of B\n"
	"  --legacy-pixel  widths are x2-x1+1 (the PASCAL VOC devkit rule)\n"
	"  -o FILE         write to FILE: a tensor record 'iou' for .safetensors\n"
	"                  or .vts, text otherwise ('-': standard output)\n"
	"  -q, -v          quieter; report the time of the computation\n"
	"  -h, --help      this help;  --version  the version\n";

enum { OPT_METRIC = 256, OPT_FORMAT, OPT_PAIRWISE, OPT_LEGACY, OPT_VERSION };

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct opts {
	enum vt_box_metric metric;
	enum vt_box_format format;
	bool pairwise;
	unsigned flags;
	const char *out;
};

/* The header of a record holding tensor "iou" of the given shape, whose
 * data vt_box_iou_write then writes. */
static int put_header(FILE *f, const struct opts *op, int rank,
		      const uint64_t *shape, struct vt_err *err)
{
	struct vt_record r;
	struct vt_tensor t;
	int rc;

	vt_record_init(&r);
	rc = vt_tensor_init_view(&t, "iou", VT_F32, rank, shape, NULL, err);
	if (!rc)
		rc = vt_tensor_set_dims(&t, rank == 1 ? "N" : "A,B",
					rank == 1 ? 1 : 3, err);
	if (!rc)
		rc = vt_record_add(&r, &t, err);
	vt_tensor_release(&t);   /* moved into r, or left after a failure */
	if (!rc)
		rc = vt_record_meta_set(&r, "metric",
					vt_box_metric_name(op->metric), err);
	if (!rc)
		rc = vt_record_write_header(f, op->out, &r, err);
	vt_record_release(&r);
	return rc;
}

static int run(const struct opts *op, const char *pa, const char *pb,
	       struct vt_err *err)
{
	struct vt_outfile of = { 0 };
	float *a = NULL, *b = NULL;
	size_t n = 0, m = 0;
	bool record = op->out && (has_suffix(op->out, ".safetensors") ||
				  has_suffix(op->out, ".vts"));
	unsigned flags = op->flags | (record ? 0 : VT_BOX_WRITE_TEXT) |
			 (op->pairwise ? VT_BOX_WRITE_PAIRWISE : 0);
	double t0;
	int rc = vt_boxes_load(pa, op->format, &a, &n, err);

	if (!rc && pb)
		rc = vt_boxes_load(pb, op->format, &b, &m, err);
	if (!rc && !pb) {
		b = a;
		m = n;
	}
	if (!rc && op->pairwise && n != m)
		rc = vt_err_set(err, VT_EFORMAT, "--pairwise: '%s' has %zu "
				"boxes, '%s' has %zu", pa, n, pb, m);
	if (!rc)
		rc = vt_outfile_open(&of, op->out, err);
	if (!rc && record)
		rc = put_header(of.fp, op, op->pairwise ? 1 : 2,
				(uint64_t[2]){ n, m }, err);
	t0 = now();
	if (!rc)
		rc = vt_box_iou_write(of.fp, op->out ? op->out : "<stdout>", a,
				      n, b, m, op->metric, flags, err);
	if (!rc && vt_cli_verbosity > 0)
		vt_cli_msg("%s of %zu %s %zu boxes, computed and written: "
			   "%.3f s", vt_box_metric_name(op->metric), n,
			   op->pairwise ? "pairs of" : "x", m, now() - t0);
	if (!rc)
		rc = vt_outfile_commit(&of, err);
	else
		vt_outfile_abort(&of);
	if (b != a)
		free(b);
	free(a);
	return rc;
}

int cmd_iou(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "metric", required_argument, NULL, OPT_METRIC },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "pairwise", no_argument, NULL, OPT_PAIRWISE },
		{ "legacy-pixel", no_argument, NULL, OPT_LEGACY },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .metric = VT_BOX_IOU, .format = VT_BOX_XYXY };
	struct vt_err err = { 0 };
	const char *pa, *pb;
	int c;

	vt_cli_init("iou");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqvo:", longs, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); fputs(help, stdout); return vt_cli_close_stdout();
		case OPT_VERSION: vt_cli_version(); return vt_cli_close_stdout();
		case 'q': vt_cli_verbosity = -1; break;
		case 'v': vt_cli_verbosity = 1; break;
		case 'o': o.out = optarg; break;
		case OPT_PAIRWISE: o.pairwise = true; break;
		case OPT_LEGACY: o.flags |= VT_BOX_LEGACY_PIXEL; break;
		case OPT_METRIC:
			if (vt_box_metric_parse(optarg, &o.metric))
				return vt_cli_usage_error("--metric: '%s' is not iou, giou, diou or ciou", optarg);
			break;
		case OPT_FORMAT:
			if (vt_box_format_parse(optarg, &o.format))
				return vt_cli_usage_error("--format: '%s' is not xyxy, xywh or cxcywh", optarg);
			break;
		default: return vt_cli_bad_option(c, argv);
		}
	}
	if (optind == argc || argc - optind > 2)
		return vt_cli_usage_error("expected one or two box sets, got %d",
					  argc - optind);
	pa = argv[optind];
	pb = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (pb && strcmp(pa, "-") == 0 && strcmp(pb, "-") == 0)
		return vt_cli_usage_error("standard input can be only one of A and B");
	if (run(&o, pa, pb, &err))
		return vt_cli_fail(&err);
	return vt_cli_close_stdout();
}

int main(int argc, char **argv) { return cmd_iou(argc, argv); }
