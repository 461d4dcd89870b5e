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

/* Rows of cols values, printed from the float values with %.9g (which
 * reads back as the same float). */
static int write_text(const char *path, const struct vt_tensor *t,
		      struct vt_err *err)
{
	const float *v = t->data;
	size_t rows = (size_t)t->shape[0];
	size_t cols = t->rank == 2 ? (size_t)t->shape[1] : 1;
	struct vt_outfile of;
	int rc = vt_outfile_open(&of, path, err);

	if (rc)
		return rc;
	for (size_t i = 0; i < rows; i++)
		for (size_t j = 0; j < cols; j++)
			fprintf(of.fp, "%.9g%c", (double)v[i * cols + j],
				j + 1 < cols ? ' ' : '\n');
	if (ferror(of.fp)) {
		rc = vt_err_sys(err, VT_EIO, "'%s': write error",
				of.is_stdout ? "<stdout>" : path);
		vt_outfile_abort(&of);
		return rc;
	}
	return vt_outfile_commit(&of, err);
}

static int write_record(const char *path, struct vt_tensor *t,
			enum vt_box_metric metric, struct vt_err *err)
{
	struct vt_record r;
	int rc;

	vt_record_init(&r);
	rc = vt_record_meta_set(&r, "metric", vt_box_metric_name(metric), err);
	if (!rc)
		rc = vt_record_add(&r, t, err);
	if (!rc)
		rc = vt_record_save(path, &r, err);
	vt_record_release(&r);
	return rc;
}

struct opts {
	enum vt_box_metric metric;
	enum vt_box_format format;
	bool pairwise;
	unsigned flags;
	const char *out;
};

static int run(const struct opts *o, const char *pa, const char *pb,
	       struct vt_err *err)
{
	float *a = NULL, *b = NULL;
	size_t n = 0, m = 0;
	struct vt_tensor t = { 0 };
	uint64_t shape[2];
	double t0;
	int rc = vt_boxes_load(pa, o->format, &a, &n, err);

	if (!rc && pb)
		rc = vt_boxes_load(pb, o->format, &b, &m, err);
	if (!rc && !pb) {
		b = a;
		m = n;
	}
	if (!rc && o->pairwise && n != m)
		rc = vt_err_set(err, VT_EFORMAT, "--pairwise: '%s' has %zu "
				"boxes, '%s' has %zu", pa, n, pb, m);
	shape[0] = n;
	shape[1] = m;
	if (!rc)
		rc = vt_tensor_init(&t, "iou", VT_F32, o->pairwise ? 1 : 2,
				    shape, err);
	if (!rc)
		rc = vt_tensor_set_dims(&t, o->pairwise ? "N" : "A,B",
					o->pairwise ? 1 : 3, err);
	if (!rc) {
		t0 = now();
		rc = o->pairwise ?
			vt_box_iou_pairwise(t.data, a, b, n, o->metric, o->flags) :
			vt_box_iou_matrix(t.data, a, n, b, m, o->metric, o->flags);
		if (rc)
			rc = vt_err_set(err, VT_EBUG, "metric computation: %s",
					vt_status_name(rc));
		if (vt_cli_verbosity > 0)
			vt_cli_msg("%s of %zu %s %zu boxes: %.3f s",
				   vt_box_metric_name(o->metric), n,
				   o->pairwise ? "pairs of" : "x", m,
				   now() - t0);
	}
	if (!rc && o->out && (has_suffix(o->out, ".safetensors") ||
			      has_suffix(o->out, ".vts")))
		rc = write_record(o->out, &t, o->metric, err);
	else if (!rc)
		rc = write_text(o->out, &t, err);
	vt_tensor_release(&t);
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
	while ((c = getopt_long(argc, argv, "hqvo:", longs, NULL)) != -1) {
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
		default: return vt_cli_usage_error("unknown option");
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
