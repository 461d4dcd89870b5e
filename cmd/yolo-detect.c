/* yolo-detect - darknet YOLO models on images. */
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "vt/cli.h"
#include "vt/darknet.h"
#include "vt/detections.h"
#include "vt/outfile.h"

static const char usage[] =
	"usage: yolo-detect -c CFG -w WEIGHTS [--names FILE] [--format F]\n"
	"       [--coco-gt FILE] [-j N] [--thresh T] [--nms T] [--nms-kind K] [--max-dets N]\n"
	"       [--resize letterbox|stretch] [--clamp] [--lenient] [--raw FILE]\n"
	"       [--draw DIR] [--profile] [--list FILE] [-o FILE] [-hqv] [--version]\n"
	"       [IMAGE ...]\n"
	"       yolo-detect -c CFG --synth-weights FILE [--seed N]\n";

static const char help[] =
	"\nDetect objects with a darknet .cfg + .weights model, computing as\n"
	"pjreddie's darknet does.  Images are files, directories (their images,\n"
	"sorted), '-' (paths on standard input, one a line) or --list FILE.\n\n"
	"  -c, --cfg CFG        darknet config (strict: unknown keys are errors)\n"
	"  -w, --weights FILE   darknet weights (size checked against the cfg)\n"
	"  --names FILE         class names, one a line (default: class ids)\n"
	"  --format F           text (default), jsonl, coco (results list),\n"
	"                       yolo (label files in -o DIR) or tensor\n"
	"                       (detection records for map-eval)\n"
	"  --coco-gt FILE       coco: image and category ids from this ground truth\n"
	"  -j N                 threads (all cores): images in parallel\n"
	"  --thresh T           score threshold (0.25)\n"
	"  --nms T              per-class NMS threshold, 0 disables (0.45)\n"
	"  --nms-kind K         greedy (default) or diou\n"
	"  --max-dets N         keep the N best detections per image\n"
	"  --resize R           letterbox (darknet, default) or stretch (OpenCV)\n"
	"  --clamp              clamp boxes to the image\n"
	"  --lenient            skip unknown cfg sections and keys\n"
	"  --raw FILE           the [yolo] layers' outputs, one tensor record\n"
	"                       per image ('-': standard output)\n"
	"  --draw DIR           annotated copies of the images under DIR\n"
	"  --profile            per-layer time, GFLOP and GFLOP/s on stderr\n"
	"  --synth-weights F    write deterministic synthetic weights for CFG\n"
	"  --seed N             seed of --synth-weights (1)\n"
	"  -o FILE              output file ('-': standard output); yolo: DIR\n"
	"  -q, -v               quieter (no progress bar); more messages\n"
	"  -h, --help           this help;  --version  the version\n";

enum { OPT_NAMES = 256, OPT_FORMAT, OPT_THRESH, OPT_NMS, OPT_NMS_KIND,
       OPT_MAX_DETS, OPT_RESIZE, OPT_CLAMP, OPT_LENIENT, OPT_SYNTH,
       OPT_SEED, OPT_LIST, OPT_COCO_GT, OPT_RAW, OPT_DRAW, OPT_PROFILE,
       OPT_VERSION };

struct opts {
	const char *cfg, *weights, *names, *out, *synth, *list, *coco_gt;
	const char *raw, *draw;
	bool profile;
	enum vt_det_format format;
	uint64_t seed;
	unsigned flags;
	struct vt_dn_run_opts run;
};

/* What the per-image callback needs. */
struct ctx {
	const struct opts *o;
	const struct vt_dn_net *net;
	struct vt_det_writer w;
	struct vt_outfile raw;
	size_t *rel;                    /* --draw: relative names */
	size_t images;
	struct vt_progress bar;         /* over the images, on a terminal */
	int status;
};

/* One image's result: an unreadable image is reported and remembered. */
static int emit(void *arg, struct vt_dn_result *r, struct vt_err *err)
{
	struct ctx *x = arg;
	int rc;

	vt_progress_update(&x->bar, (uint64_t)r->index + 1);
	if (r->status) {
		int code;

		if (x->bar.active && x->bar.last > 0)
			fputc('\n', stderr);   /* the message below the bar */
		code = vt_cli_fail(&r->err);

		if (code > x->status)
			x->status = code;
		return 0;
	}
	x->images++;
	rc = vt_det_write(&x->w, r->path, r->width, r->height, r->dets, r->n,
			  err);
	if (!rc && x->o->raw)
		rc = vt_dn_raw_write(x->raw.fp, x->o->raw, x->net, r,
				     x->o->run.dec.resize, err);
	if (!rc && x->o->draw)
		rc = vt_dn_draw_write(x->o->draw, r->path + x->rel[r->index],
				      &r->image, r->dets, r->n, x->w.names,
				      x->w.n_names, err);
	return rc;
}

static int run(const struct opts *o, char **args, int nargs, int *status,
	       struct vt_err *err)
{
	struct ctx x = { .o = o };
	struct vt_dn_run_opts ro = o->run;
	struct vt_outfile of = { 0 };
	struct vt_dn_net *net;
	char **paths = NULL, **names = NULL;
	size_t np = 0, nn = 0;
	int rc = vt_dn_net_load_cfg(o->cfg, o->flags, 0, &net, err);

	if (!rc && o->synth) {
		rc = vt_dn_synth_save(net, o->seed, o->synth, err);
		vt_dn_net_free(net);
		return rc;
	}
	x.net = net;
	vt_det_writer_init(&x.w, o->format);
	if (!rc)
		rc = vt_dn_weights_load(net, o->weights, err);
	if (!rc && o->names)
		rc = vt_dn_names_load(o->names, net, &names, &nn, err);
	x.w.names = names;
	x.w.n_names = (int)nn;
	if (!rc && o->coco_gt)
		rc = vt_det_writer_coco_gt(&x.w, o->coco_gt, err);
	if (!rc)
		rc = vt_dn_collect_images(o->list, args, nargs, &paths, &np,
					  o->draw ? &x.rel : NULL, err);
	if (!rc && o->format == VT_DET_YOLO)
		x.w.dir = o->out;
	else if (!rc)
		rc = vt_outfile_open(&of, o->out, err);
	if (!rc && o->raw)
		rc = vt_outfile_open(&x.raw, o->raw, err);
	x.w.out = of.fp;
	x.w.out_name = o->out ? o->out : "<stdout>";
	ro.keep_raw = o->raw != NULL;
	ro.keep_image = o->draw != NULL;
	if (!rc && o->profile &&
	    !(ro.layer_s = calloc((size_t)net->n, sizeof(double))))
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
	if (!rc) {
		vt_progress_start(&x.bar, "images", np);
		x.bar.active = x.bar.active && np > 1;
		rc = vt_dn_detect_all(net, paths, np, &ro, emit, &x, err);
		vt_progress_end(&x.bar);
	}
	if (!rc)
		rc = vt_det_writer_finish(&x.w, err);
	if (!rc && x.raw.fp)
		rc = vt_outfile_commit(&x.raw, err);
	if (!rc && of.fp)
		rc = vt_outfile_commit(&of, err);
	if (!rc && o->profile)
		rc = vt_dn_profile_write(stderr, "<stderr>", net, ro.layer_s,
					 x.images, err);
	vt_outfile_abort(&x.raw);
	vt_outfile_abort(&of);
	free(ro.layer_s);
	vt_det_writer_release(&x.w);
	vt_dn_lines_free(paths, np);
	free(x.rel);
	vt_dn_lines_free(names, nn);
	vt_dn_net_free(net);
	*status = x.status;
	return rc;
}

int cmd_yolo_detect(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "cfg", required_argument, NULL, 'c' },
		{ "weights", required_argument, NULL, 'w' },
		{ "names", required_argument, NULL, OPT_NAMES },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "thresh", required_argument, NULL, OPT_THRESH },
		{ "nms", required_argument, NULL, OPT_NMS },
		{ "nms-kind", required_argument, NULL, OPT_NMS_KIND },
		{ "max-dets", required_argument, NULL, OPT_MAX_DETS },
		{ "resize", required_argument, NULL, OPT_RESIZE },
		{ "clamp", no_argument, NULL, OPT_CLAMP },
		{ "lenient", no_argument, NULL, OPT_LENIENT },
		{ "synth-weights", required_argument, NULL, OPT_SYNTH },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "list", required_argument, NULL, OPT_LIST },
		{ "coco-gt", required_argument, NULL, OPT_COCO_GT },
		{ "raw", required_argument, NULL, OPT_RAW },
		{ "profile", no_argument, NULL, OPT_PROFILE },
		{ "draw", required_argument, NULL, OPT_DRAW },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .seed = 1, .run = { .threads = 1,
			  .dec = { .thresh = 0.25f, .nms = 0.45f } } };
	struct vt_err err = { 0 };
	int c, status = 0;
	double v;
	uint64_t u;

	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	o.run.threads = cores < 1 ? 1 : cores > 256 ? 256 : (int)cores;
	vt_cli_init("yolo-detect");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqvc:w:o:j:", longs, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); fputs(help, stdout); return vt_cli_close_stdout();
		case OPT_VERSION: vt_cli_version(); return vt_cli_close_stdout();
		case 'q': vt_cli_verbosity = -1; break;
		case 'v': vt_cli_verbosity = 1; break;
		case 'c': o.cfg = optarg; break;
		case 'w': o.weights = optarg; break;
		case 'o': o.out = optarg; break;
		case OPT_NAMES: o.names = optarg; break;
		case OPT_LIST: o.list = optarg; break;
		case OPT_SYNTH: o.synth = optarg; break;
		case OPT_CLAMP: o.run.dec.clamp = true; break;
		case OPT_LENIENT: o.flags |= VT_DN_LENIENT; break;
		case OPT_FORMAT:
			if (vt_det_format_parse(optarg, &o.format))
				return vt_cli_usage_error("--format: '%s' is not text, jsonl, coco, yolo or tensor", optarg);
			break;
		case OPT_COCO_GT: o.coco_gt = optarg; break;
		case OPT_RAW: o.raw = optarg; break;
		case OPT_DRAW: o.draw = optarg; break;
		case OPT_PROFILE: o.profile = true; break;
		case 'j':
			if (vt_parse_u64(optarg, &u) || u < 1 || u > 256)
				return vt_cli_usage_error("-j: '%s' is not a number of threads in [1, 256]", optarg);
			o.run.threads = (int)u;
			break;
		case OPT_THRESH:
		case OPT_NMS:
			if (vt_parse_double(optarg, &v) || !(v >= 0 && v <= 1))
				return vt_cli_usage_error("--%s: '%s' is not a number in [0, 1]",
							  c == OPT_NMS ? "nms" : "thresh", optarg);
			*(c == OPT_NMS ? &o.run.dec.nms : &o.run.dec.thresh) = (float)v;
			break;
		case OPT_NMS_KIND:
			if (vt_nms_kind_parse(optarg, &o.run.dec.nms_kind))
				return vt_cli_usage_error("--nms-kind: '%s' is not greedy or diou", optarg);
			break;
		case OPT_RESIZE:
			if (strcmp(optarg, "letterbox") == 0) o.run.dec.resize = VT_DN_LETTERBOX;
			else if (strcmp(optarg, "stretch") == 0) o.run.dec.resize = VT_DN_STRETCH;
			else return vt_cli_usage_error("--resize: '%s' is not letterbox or stretch", optarg);
			break;
		case OPT_MAX_DETS:
		case OPT_SEED:
			if (vt_parse_u64(optarg, &u))
				return vt_cli_usage_error("--%s: '%s' is not a non-negative integer",
							  c == OPT_SEED ? "seed" : "max-dets", optarg);
			if (c == OPT_SEED)
				o.seed = u;
			else
				o.run.dec.max_dets = (size_t)u;
			break;
		default: return vt_cli_bad_option(c, argv);
		}
	}
	if (!o.cfg)
		return vt_cli_usage_error("-c CFG is required");
	if (!o.synth && !o.weights)
		return vt_cli_usage_error("-w WEIGHTS (or --synth-weights) is required");
	if (!o.synth && optind == argc && !o.list)
		return vt_cli_usage_error("no images");
	if (!o.synth && o.format == VT_DET_YOLO && !o.out)
		return vt_cli_usage_error("--format yolo needs -o DIR");
	if (!o.synth && o.raw && strcmp(o.raw, "-") == 0 &&
	    (!o.out || strcmp(o.out, "-") == 0) && o.format != VT_DET_YOLO)
		return vt_cli_usage_error("--raw -: standard output is taken, give -o FILE");
	if (!o.synth && o.format == VT_DET_TENSOR &&
	    (c = vt_cli_check_binary_stdout(o.out)))
		return c;
	if (!o.synth && o.raw && (c = vt_cli_check_binary_stdout(o.raw)))
		return c;
	if (run(&o, argv + optind, argc - optind, &status, &err))
		return vt_cli_fail(&err);
	c = vt_cli_close_stdout();
	return c ? c : status;
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
	/* Every image allocates and frees a few buffers of megabytes: keep
	 * them in the heap instead of glibc's default mmap and munmap per
	 * buffer, whose page faults cost about 4 ms of a 768x576 image. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
	return cmd_yolo_detect(argc, argv);
}
