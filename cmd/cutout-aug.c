/* cutout-aug - Cutout and Random Erasing for image files and tensor streams. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt/augment.h"
#include "vt/cli.h"
#include "vt/idx.h"
#include "vt/image.h"

static const char usage[] =
	"usage: cutout-aug [--mode cutout|erase] [--holes N] [--length L[%]]\n"
	"       [--fill zero|mean|noise|VALUE] [--mean LIST] [--std LIST] [-p P]\n"
	"       [--seed S] [--scale A:B] [--ratio A:B] [--copies K] [--ext LIST]\n"
	"       [--format FMT] [--quality Q] [--layout DIMS] [--tensor NAME]\n"
	"       [--masks] [--log FILE] [--boxes FILE|DIR]\n"
	"       [--max-box-occlusion F] [-j N] [-o DIR|FILE] [-hqv] [--version]\n"
	"       INPUT ...\n";

static const char help[] =
	"\nMask random squares (Cutout) or rectangles (Random Erasing) of images.\n"
	"INPUT: image files, directories (recursive), '-' (a list of paths on\n"
	"standard input), or tensor files (.safetensors, .vts, IDX such as\n"
	"train-images-idx3-ubyte.gz); tensors are\n"
	"written to -o FILE (default '-'), images under -o DIR.\n\n"
	"  --mode M        cutout (default) or erase (torchvision RandomErasing)\n"
	"  --holes N       rectangles per image (1)\n"
	"  --length L      Cutout side in pixels, or N% of the shorter side\n"
	"  --fill F        zero (default), mean, noise or a value (list per channel)\n"
	"  --mean, --std   per-channel normalisation of tensors (R,G,B in [0,1])\n"
	"  -p P            probability of augmenting an image (1)\n"
	"  --seed S        the draws of image i depend only on (S, i) (0)\n"
	"  --scale A:B     erase: area fraction (0.02:0.33)\n"
	"  --ratio A:B     erase: aspect ratio range (0.3:3.3)\n"
	"  --copies K      K augmented copies of each input (1)\n"
	"  --ext LIST      extensions taken from directories (png,jpg,...)\n"
	"  --format FMT    write images as png, jpg, bmp or tga\n"
	"  --quality Q     JPEG quality 1-100 (90)\n"
	"  --layout DIMS   tensor layout when it has no names (N,C,H,W, H,W,C ...)\n"
	"  --tensor NAME   the image tensor of each record\n"
	"  --masks         also write each mask (NAME.mask.png or NAME_mask)\n"
	"  --log FILE      a JSON line per image with the rectangles\n"
	"  --boxes FILE    object boxes (YOLO label DIR or COCO JSON) to keep visible\n"
	"  --max-box-occlusion F  redraw a hole covering more than F of a box (0.5)\n"
	"  -j N            images in parallel (default: the number of cores)\n"
	"  -q, -v          quieter; more messages\n"
	"  -h, --help      this help;  --version  the version\n";

enum { OPT_MODE = 256, OPT_HOLES, OPT_LENGTH, OPT_FILL, OPT_MEAN, OPT_STD,
       OPT_SEED, OPT_SCALE, OPT_RATIO, OPT_COPIES, OPT_EXT, OPT_FORMAT,
       OPT_QUALITY, OPT_LAYOUT, OPT_TENSOR, OPT_MASKS, OPT_LOG, OPT_VERSION,
       OPT_BOXES, OPT_OCCLUSION };

static int parse_list(const char *s, double *v, int max)
{
	int n = 0;
	char *end;

	while (n < max) {
		v[n++] = strtod(s, &end);
		if (end == s || (*end && *end != ','))
			return -1;
		if (!*end)
			return n;
		s = end + 1;
	}
	return -1;
}

static int parse_range(const char *s, double v[2])
{
	char *end;

	v[0] = strtod(s, &end);
	if (end == s || *end != ':')
		return -1;
	s = end + 1;
	v[1] = strtod(s, &end);
	return end == s || *end ? -1 : 0;
}

static int parse_opts(int argc, char **argv, struct vt_aug_run *o)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "holes", required_argument, NULL, OPT_HOLES },
		{ "length", required_argument, NULL, OPT_LENGTH },
		{ "fill", required_argument, NULL, OPT_FILL },
		{ "mean", required_argument, NULL, OPT_MEAN },
		{ "std", required_argument, NULL, OPT_STD },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "scale", required_argument, NULL, OPT_SCALE },
		{ "ratio", required_argument, NULL, OPT_RATIO },
		{ "copies", required_argument, NULL, OPT_COPIES },
		{ "ext", required_argument, NULL, OPT_EXT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "quality", required_argument, NULL, OPT_QUALITY },
		{ "layout", required_argument, NULL, OPT_LAYOUT },
		{ "tensor", required_argument, NULL, OPT_TENSOR },
		{ "masks", no_argument, NULL, OPT_MASKS },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "boxes", required_argument, NULL, OPT_BOXES },
		{ "max-box-occlusion", required_argument, NULL, OPT_OCCLUSION },
		{ NULL, 0, NULL, 0 },
	};
	struct vt_aug_job *j = &o->job;
	struct vt_aug_opts chk;
	struct vt_err err;
	enum vt_image_format fmt;
	char ext[80];
	bool has_length = false, has_occlusion = false;
	uint64_t u;
	double d;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqvo:p:j:", longs, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); fputs(help, stdout); return -1;
		case OPT_VERSION: vt_cli_version(); return -1;
		case 'q': vt_cli_verbosity = -1; break;
		case 'v': vt_cli_verbosity = 1; break;
		case 'o': o->out = optarg; break;
		case OPT_MASKS: o->masks = true; break;
		case OPT_LOG: o->log = optarg; break;
		case OPT_BOXES: o->boxes = optarg; break;
		case OPT_OCCLUSION:
			if (vt_parse_double(optarg, &o->max_occlusion) || !(o->max_occlusion >= 0 && o->max_occlusion <= 1))
				return vt_cli_usage_error("--max-box-occlusion: '%s' is not a fraction in [0, 1]", optarg);
			has_occlusion = true;
			break;
		case OPT_EXT: o->ext = optarg; break;
		case OPT_LAYOUT: o->layout = optarg; break;
		case OPT_TENSOR: o->tensor = optarg; break;
		case OPT_MODE:
			if (strcmp(optarg, "cutout") && strcmp(optarg, "erase"))
				return vt_cli_usage_error("--mode: '%s' is not cutout or erase", optarg);
			j->aug.mode = optarg[0] == 'e' ? VT_AUG_ERASE : VT_AUG_CUTOUT;
			break;
		case OPT_HOLES:
			if (vt_parse_u64(optarg, &u) || u < 1 || u > VT_AUG_MAX_HOLES)
				return vt_cli_usage_error("--holes: '%s' is not a number from 1 to %d", optarg, VT_AUG_MAX_HOLES);
			j->aug.holes = (int)u;
			break;
		case OPT_LENGTH: {
			size_t n = strlen(optarg);
			bool pct = n > 1 && optarg[n - 1] == '%';
			char buf[64];

			snprintf(buf, sizeof buf, "%.*s", (int)(n - pct), optarg);
			if (pct ? vt_parse_double(buf, &d) || !(d > 0 && d <= 100)
				: vt_parse_u64(optarg, &u) || u < 1 || u > (UINT64_C(1) << 40))
				return vt_cli_usage_error("--length: '%s' is not a number of pixels or a percentage in (0, 100]", optarg);
			if (pct)
				j->length_frac = d / 100;
			else
				j->aug.length = (int64_t)u;
			has_length = true;
			break;
		}
		case OPT_FILL:
			if (!strcmp(optarg, "zero")) j->fill = VT_FILL_ZERO;
			else if (!strcmp(optarg, "mean")) j->fill = VT_FILL_MEAN;
			else if (!strcmp(optarg, "noise")) j->fill = VT_FILL_NOISE;
			else if ((j->n_value = parse_list(optarg, j->value, 4)) > 0)
				j->fill = VT_FILL_VALUE;
			else
				return vt_cli_usage_error("--fill: '%s' is not zero, mean, noise or up to 4 numbers", optarg);
			break;
		case OPT_MEAN:
			if ((j->n_mean = parse_list(optarg, j->mean, 4)) < 1)
				return vt_cli_usage_error("--mean: '%s' is not 1 to 4 numbers", optarg);
			break;
		case OPT_STD:
			if ((j->n_std = parse_list(optarg, j->std, 4)) < 1)
				return vt_cli_usage_error("--std: '%s' is not 1 to 4 numbers", optarg);
			for (int k = 0; k < j->n_std; k++)
				if (!(j->std[k] > 0))
					return vt_cli_usage_error("--std: '%s' has a value that is not positive", optarg);
			break;
		case 'p':
			if (vt_parse_double(optarg, &j->aug.p) || !(j->aug.p >= 0 && j->aug.p <= 1))
				return vt_cli_usage_error("-p: '%s' is not a probability in [0, 1]", optarg);
			break;
		case OPT_SEED:
			if (vt_parse_u64(optarg, &j->seed))
				return vt_cli_usage_error("--seed: '%s' is not a non-negative integer", optarg);
			break;
		case OPT_SCALE:
			if (parse_range(optarg, j->aug.scale))
				return vt_cli_usage_error("--scale: '%s' is not A:B", optarg);
			break;
		case OPT_RATIO:
			if (parse_range(optarg, j->aug.ratio))
				return vt_cli_usage_error("--ratio: '%s' is not A:B", optarg);
			break;
		case OPT_COPIES:
			if (vt_parse_u64(optarg, &u) || u < 1 || u > 100000)
				return vt_cli_usage_error("--copies: '%s' is not a number from 1 to 100000", optarg);
			o->copies = (int)u;
			break;
		case 'j':
			if (vt_parse_u64(optarg, &u) || u < 1 || u > 256)
				return vt_cli_usage_error("-j: '%s' is not a number from 1 to 256", optarg);
			o->jobs = (int)u;
			break;
		case OPT_QUALITY:
			if (vt_parse_u64(optarg, &u) || u < 1 || u > 100)
				return vt_cli_usage_error("--quality: '%s' is not a number from 1 to 100", optarg);
			o->quality = (int)u;
			break;
		case OPT_FORMAT:
			snprintf(ext, sizeof ext, "x.%.70s", optarg);
			if (vt_image_format_from_path(ext, &fmt, &err))
				return vt_cli_usage_error("--format: '%s' is not png, jpg, bmp or tga", optarg);
			o->format = (int)fmt;
			o->has_format = true;
			break;
		default: return vt_cli_bad_option(c, argv);
		}
	}
	if (j->aug.mode == VT_AUG_CUTOUT && !has_length)
		return vt_cli_usage_error("--length is required in cutout mode");
	if (j->aug.mode == VT_AUG_ERASE && has_length)
		return vt_cli_usage_error("--length is for cutout mode; erase uses --scale and --ratio");
	if (j->aug.mode == VT_AUG_ERASE && j->length_frac == 0)
		j->aug.length = 1;
	if (has_occlusion && !o->boxes)
		return vt_cli_usage_error("--max-box-occlusion needs --boxes");
	if (!has_occlusion)
		o->max_occlusion = 0.5;
	chk = j->aug;
	if (j->length_frac > 0)
		chk.length = 1;     /* a percentage: L is set per image */
	if (vt_aug_opts_check(&chk, &err))
		return vt_cli_usage_error("%s", err.msg);
	if (optind == argc)
		return vt_cli_usage_error("no input");
	return 0;
}

int cmd_cutout_aug(int argc, char **argv)
{
	struct vt_aug_run o = { .copies = 1 };
	struct vt_err err = { 0 };
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	bool tensors;
	int rc;

	o.jobs = cores < 1 ? 1 : cores > 256 ? 256 : (int)cores;

	vt_cli_init("cutout-aug");
	vt_aug_job_init(&o.job);
	rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc < 0 ? vt_cli_close_stdout() : rc;
	o.inputs = argv + optind;
	o.n_inputs = argc - optind;
	/* tensors in or out, or -o -: tensor mode ('-' is a stream) */
	tensors = vt_aug_is_tensor_path(o.out) || (o.out && !strcmp(o.out, "-"));
	for (int i = 0; i < o.n_inputs; i++)
		tensors |= vt_aug_is_tensor_path(o.inputs[i]) ||
			   vt_idx_is_path(o.inputs[i]);
	if (!tensors && !o.out)
		return vt_cli_usage_error("images need -o DIR (tensors: -o FILE or -o -)");
	if (tensors && o.boxes)
		return vt_cli_usage_error("--boxes is for image files, not tensors");
	if (tensors && !o.out)
		o.out = "-";
	if (tensors && (rc = vt_cli_check_binary_stdout(o.out)))
		return rc;
	rc = tensors ? vt_aug_run_tensors(&o, &err) : vt_aug_run_images(&o, &err);
	if (rc)
		return vt_cli_fail(&err);
	return vt_cli_close_stdout();
}

int main(int argc, char **argv) { return cmd_cutout_aug(argc, argv); }
