/* gan-sample - images from a generator trained by gan-train. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/cli.h"
#include "vt/gan.h"
#include "vt/gan_train.h"
#include "vt/nn.h"
#include "vt/record.h"
#include "vt/size.h"
#include "vt/tensorfile.h"

static const char usage[] =
	"usage: gan-sample --checkpoint FILE [-n N] [--seed S] [--latent FILE]\n"
	"       [--grid] [--nrow K] [--train-bn] -o OUT [-j N] [-hqv] [--version]\n";

static const char help[] =
	"\nGenerate N images with the generator of a gan-train checkpoint.\n"
	"OUT ending in .safetensors or .vts, or '-': one record with the tensor\n"
	"'images' F32 [N,C,H,W] in [-1, 1]; ending in .png (or with --grid): a\n"
	"grid of the N images; anything else: a directory of PNG files.\n\n"
	"  --checkpoint FILE  a gan-train checkpoint (DIR/checkpoint.safetensors)\n"
	"  -n N               number of images (25)\n"
	"  --seed S           seed of the latent vectors (0)\n"
	"  --latent FILE      the latent vectors instead: F32 [N,latent] (a record\n"
	"                     or .npy; its first tensor, or the one named 'z')\n"
	"  --grid             write a grid even when OUT does not end in .png\n"
	"  --nrow K           images per grid row (default: ceil(sqrt(N)))\n"
	"  --train-bn         batch statistics in batch norm (default: running)\n"
	"  -o OUT             the output ('-': a record on standard output)\n"
	"  -j, --threads N    threads (default: the processors); the images are\n"
	"                     the same bits with any N\n"
	"  -q, -v             quieter; more messages\n"
	"  -h, --help         this help;  --version  the version\n";

enum { OPT_CKPT = 256, OPT_SEED, OPT_LATENT, OPT_GRID, OPT_NROW, OPT_TRAIN_BN,
       OPT_VERSION };

static const struct option longs[] = {
	{ "checkpoint", required_argument, NULL, OPT_CKPT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "latent", required_argument, NULL, OPT_LATENT },
	{ "grid", no_argument, NULL, OPT_GRID },
	{ "nrow", required_argument, NULL, OPT_NROW },
	{ "train-bn", no_argument, NULL, OPT_TRAIN_BN },
	{ "threads", required_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	const char *ckpt, *out, *latent;
	uint64_t n, seed, nrow, threads;
	bool grid, train_bn;
};

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

static int parse(int argc, char **argv, struct opts *o)
{
	int c;

	o->n = 25;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqvn:o:j:", longs, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); fputs(help, stdout); return -1;
		case OPT_VERSION: vt_cli_version(); return -1;
		case 'q': vt_cli_verbosity = -1; break;
		case 'v': vt_cli_verbosity = 1; break;
		case OPT_CKPT: o->ckpt = optarg; break;
		case 'o': o->out = optarg; break;
		case OPT_LATENT: o->latent = optarg; break;
		case OPT_GRID: o->grid = true; break;
		case OPT_TRAIN_BN: o->train_bn = true; break;
		case 'n':
			if (vt_parse_u64(optarg, &o->n) || o->n < 1 || o->n > 1000000)
				return vt_cli_usage_error("-n: '%s' is not a number from 1 to 1000000", optarg);
			break;
		case OPT_SEED:
			if (vt_parse_u64(optarg, &o->seed))
				return vt_cli_usage_error("--seed: '%s' is not a non-negative integer", optarg);
			break;
		case 'j':
			if (vt_parse_u64(optarg, &o->threads) || o->threads < 1 || o->threads > 64)
				return vt_cli_usage_error("-j: '%s' is not a number of threads from 1 to 64", optarg);
			break;
		case OPT_NROW:
			if (vt_parse_u64(optarg, &o->nrow) || o->nrow < 1 || o->nrow > 1000000)
				return vt_cli_usage_error("--nrow: '%s' is not a number from 1 to 1000000", optarg);
			break;
		default: return vt_cli_bad_option(c, argv);
		}
	}
	if (optind < argc)
		return vt_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->ckpt)
		return vt_cli_usage_error("--checkpoint FILE is required");
	if (!o->out)
		return vt_cli_usage_error("-o OUT is required");
	if (o->grid && (!strcmp(o->out, "-") || ends_with(o->out, ".safetensors") ||
			ends_with(o->out, ".vts")))
		return vt_cli_usage_error("--grid: '%s' is a tensor output", o->out);
	return 0;
}

/* The latent vectors of --latent: F32 [N, latent_dim]. */
static int read_latent(const char *path, uint32_t latent, struct vt_record *r,
		       const float **z, uint64_t *n, struct vt_err *err)
{
	struct vt_reader_opts ro = { 0 };
	const struct vt_tensor *t;
	int rc;

	ro.single = 1;
	rc = vt_path_is_npy(path) ? vt_record_from_npy(path, r, err) :
				    vt_record_load(path, r, &ro, err);
	if (rc)
		return rc;
	t = vt_record_find(r, "z");
	if (!t && r->n_tensors)
		t = &r->tensors[0];
	if (!t || t->dtype != VT_F32 || t->rank != 2 ||
	    t->shape[1] != latent || t->shape[0] < 1)
		return vt_err_set(err, VT_EFORMAT,
				  "'%s': expected the latent vectors as F32 "
				  "[N,%u]", path, latent);
	*z = t->data;
	*n = t->shape[0];
	return 0;
}

static int cmd_gan_sample(int argc, char **argv)
{
	struct opts o = { 0 };
	struct vt_gan_ckpt_info info = { 0 };
	struct vt_gan_config cfg;
	struct vt_gan_trainer t;
	struct vt_err err;
	struct vt_record zrec;
	const float *z = NULL;
	float *x = NULL;
	size_t per, nrow;
	bool record;
	int rc;

	vt_cli_init("gan-sample");
	rc = parse(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	record = !strcmp(o.out, "-") || ends_with(o.out, ".safetensors") ||
		 ends_with(o.out, ".vts");
	if (record && !strcmp(o.out, "-") &&
	    (rc = vt_cli_check_binary_stdout(o.out)))
		return rc;
	vt_nn_set_threads(o.threads ? (int)o.threads : vt_nn_default_threads());
	rc = vt_gan_ckpt_info_read(o.ckpt, &info, &err);
	if (!rc) {
		vt_gan_config_defaults(&cfg, info.family);
		rc = vt_gan_config_parse(&cfg, info.config,
					 strlen(info.config), o.ckpt, &err);
	}
	vt_gan_ckpt_info_release(&info);
	if (rc)
		return vt_cli_fail(&err);
	rc = vt_gan_trainer_init(&t, &cfg, NULL, 0, &err);
	if (rc)
		return vt_cli_fail(&err);
	t.step = info.step;
	vt_record_init(&zrec);
	rc = vt_gan_trainer_load_generator(&t, o.ckpt, &err);
	if (!rc && o.latent)
		rc = read_latent(o.latent, cfg.latent_dim, &zrec, &z, &o.n,
				 &err);
	per = (size_t)cfg.channels * cfg.img_size * cfg.img_size;
	if (!rc) {
		x = vt_malloc_array((size_t)o.n, per * sizeof *x);
		if (!x)
			rc = vt_err_set(&err, VT_ENOMEM,
					"out of memory for %llu images",
					(unsigned long long)o.n);
	}
	if (!rc)
		rc = vt_gan_sample(&t, (size_t)o.n, z, o.seed, o.train_bn, x,
				   &err);
	if (!rc) {
		nrow = o.nrow ? (size_t)o.nrow :
				(size_t)ceil(sqrt((double)o.n));
		if (record)
			rc = vt_gan_sample_record(o.out, &t, x, (size_t)o.n,
						  &err);
		else if (o.grid || ends_with(o.out, ".png"))
			rc = vt_gan_grid_save(o.out, x, (size_t)o.n,
					      cfg.channels, cfg.img_size,
					      cfg.img_size, nrow, 2, &err);
		else
			rc = vt_gan_sample_pngs(o.out, x, (size_t)o.n,
						cfg.channels, cfg.img_size,
						cfg.img_size, &err);
	}
	free(x);
	vt_record_release(&zrec);
	vt_gan_trainer_release(&t);
	if (rc)
		return vt_cli_fail(&err);
	return vt_cli_close_stdout();
}

int main(int argc, char **argv) { return cmd_gan_sample(argc, argv); }
