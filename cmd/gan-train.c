/* gan-train - train a GAN family of the PyTorch-GAN collection. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/cli.h"
#include "vt/gan.h"
#include "vt/gan_train.h"
#include "vt/nn.h"

static const char usage[] =
	"usage: gan-train --model NAME [--config FILE] [--set KEY=VALUE]\n"
	"       [--data SPEC] --out DIR [--iters N | --epochs N] [--batch B]\n"
	"       [--seed S] [--sample-every N] [--checkpoint-every N] [--resume]\n"
	"       [-j N] [-hqv] [--version]\n";

static const char help[] =
	"\nTrain a GAN on vt's own automatic differentiation.  Families: gan,\n"
	"dcgan, lsgan, wgan, wgan_gp, with the settings of the PyTorch-GAN\n"
	"collection (configs/gan/NAME.cfg, vt-config(5)).\n\n"
	"  --model NAME        the family (or the first line of --config)\n"
	"  --config FILE       settings from a file (vt-config(5))\n"
	"  --set KEY=VALUE     override one setting (repeatable)\n"
	"  --data SPEC         fashion-mnist (default), mnist, an IDX file, a\n"
	"                      tensor file or a directory of images\n"
	"  --out DIR           log.csv, samples/, loss.svg, checkpoint.safetensors\n"
	"  --iters N           train N batches (steps) in all\n"
	"  --epochs N          train N passes over the data in all\n"
	"  --batch B           batch size\n"
	"  --seed S            random seed of initialisation, noise and order\n"
	"  --sample-every N    a 5x5 grid every N steps (0: at the end only)\n"
	"  --checkpoint-every N  a checkpoint every N steps (0: at the end only)\n"
	"  --resume            continue the run in --out from its checkpoint\n"
	"  -j, --threads N     threads (default: the processors); the result\n"
	"                      is the same with any number\n"
	"  -q, -v              quieter; more messages\n"
	"  -h, --help          this help;  --version  the version\n";

enum { OPT_MODEL = 256, OPT_CONFIG, OPT_SET, OPT_DATA, OPT_OUT, OPT_ITERS,
       OPT_EPOCHS, OPT_BATCH, OPT_SEED, OPT_SAMPLE, OPT_CKPT, OPT_RESUME,
       OPT_VERSION };

static const struct option longs[] = {
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "set", required_argument, NULL, OPT_SET },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "iters", required_argument, NULL, OPT_ITERS },
	{ "epochs", required_argument, NULL, OPT_EPOCHS },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "sample-every", required_argument, NULL, OPT_SAMPLE },
	{ "checkpoint-every", required_argument, NULL, OPT_CKPT },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "threads", required_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

#define MAX_SETS 64

struct opts {
	const char *model, *config, *data, *out;
	const char *sets[MAX_SETS];
	int n_sets;
	/* a number given on the command line, or -1 */
	int64_t iters, epochs, batch, seed, sample_every, checkpoint_every;
	int64_t threads;
	bool resume;
};

static int number(const char *opt, const char *arg, uint64_t max,
		  int64_t *out)
{
	uint64_t u;

	if (vt_parse_u64(arg, &u) || u > max)
		return vt_cli_usage_error("%s: '%s' is not a number from 0 to "
					  "%llu", opt, arg,
					  (unsigned long long)max);
	*out = (int64_t)u;
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	const uint64_t big = UINT64_C(1) << 53;
	int c, rc = 0;

	o->iters = o->epochs = o->batch = o->seed = -1;
	o->sample_every = o->checkpoint_every = -1;
	o->threads = 0;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, ":hj:qv", longs, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); fputs(help, stdout); return -1;
		case OPT_VERSION: vt_cli_version(); return -1;
		case 'q': vt_cli_verbosity = -1; break;
		case 'v': vt_cli_verbosity = 1; break;
		case OPT_MODEL: o->model = optarg; break;
		case OPT_CONFIG: o->config = optarg; break;
		case OPT_DATA: o->data = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_RESUME: o->resume = true; break;
		case OPT_SET:
			if (o->n_sets == MAX_SETS)
				return vt_cli_usage_error("--set: more than %d settings", MAX_SETS);
			o->sets[o->n_sets++] = optarg;
			break;
		case OPT_ITERS: rc = number("--iters", optarg, big, &o->iters); break;
		case OPT_EPOCHS: rc = number("--epochs", optarg, UINT32_MAX, &o->epochs); break;
		case OPT_BATCH: rc = number("--batch", optarg, UINT32_MAX, &o->batch); break;
		case OPT_SEED: rc = number("--seed", optarg, big, &o->seed); break;
		case OPT_SAMPLE: rc = number("--sample-every", optarg, big, &o->sample_every); break;
		case OPT_CKPT: rc = number("--checkpoint-every", optarg, big, &o->checkpoint_every); break;
		case 'j':
			rc = number("-j", optarg, 64, &o->threads);
			if (!rc && o->threads < 1)
				rc = vt_cli_usage_error("-j: '%s' is not a number of threads from 1 to 64", optarg);
			break;
		default: return vt_cli_bad_option(c, argv);
		}
	}
	if (rc)
		return rc;
	if (optind < argc)
		return vt_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->out)
		return vt_cli_usage_error("--out DIR is required");
	if (o->resume && (o->model || o->config || o->n_sets || o->data ||
			  o->batch >= 0 || o->seed >= 0))
		return vt_cli_usage_error("--resume takes the settings from the checkpoint; only --iters, --epochs, --sample-every and --checkpoint-every may change");
	if (!o->resume && !o->model && !o->config)
		return vt_cli_usage_error("--model NAME or --config FILE is required");
	if (o->iters >= 0 && o->epochs >= 0)
		return vt_cli_usage_error("--iters and --epochs exclude each other");
	return 0;
}

/* The settings: the family's defaults, the file, the options. */
static int settings(const struct opts *o, struct vt_gan_config *cfg,
		    struct vt_err *err)
{
	char buf[VT_GAN_SPEC_MAX + 32];
	enum vt_gan_family f;
	int rc;

	if (o->config) {
		rc = vt_gan_config_load(cfg, o->config, err);
		if (rc)
			return rc;
		if (o->model) {
			rc = vt_gan_family_parse(o->model, &f, err);
			if (!rc && f != cfg->family)
				rc = vt_err_set(err, VT_ECONFIG,
						"%s: family %s, but --model %s",
						o->config,
						vt_gan_family_name(cfg->family),
						o->model);
			if (rc)
				return rc;
		}
	} else {
		rc = vt_gan_family_parse(o->model, &f, err);
		if (rc)
			return rc;
		vt_gan_config_defaults(cfg, f);
	}
	for (int i = 0; i < o->n_sets; i++) {
		rc = vt_gan_config_set(cfg, o->sets[i], err);
		if (rc)
			return rc;
	}
	if (o->data) {
		snprintf(buf, sizeof buf, "data.dataset=%s", o->data);
		if ((rc = vt_gan_config_set(cfg, buf, err)))
			return rc;
	}
	if (o->batch >= 0)
		cfg->batch_size = (uint32_t)o->batch;
	if (o->seed >= 0)
		cfg->seed = (uint64_t)o->seed;
	return 0;
}

/* ------------------------------------------------------------------ */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

struct show {
	struct vt_progress bar;
	char label[160];
};

static void on_step(void *ctx, const struct vt_gan_trainer *t)
{
	struct show *s = ctx;
	int n = snprintf(s->label, sizeof s->label, "epoch %llu",
			 (unsigned long long)t->batcher.epoch);

	for (int i = 0; i < t->n_losses && n > 0 &&
			(size_t)n < sizeof s->label; i++)
		n += snprintf(s->label + n, sizeof s->label - (size_t)n,
			      " %s %.4f", t->loss_names[i], t->losses[i]);
	vt_progress_update(&s->bar, t->step);
}

static int resume_config(const char *dir, struct vt_gan_config *cfg,
			 struct vt_err *err)
{
	struct vt_gan_ckpt_info info = { 0 };
	char *path = vt_gan_run_path(dir, "checkpoint.safetensors");
	int rc;

	if (!path)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	rc = vt_gan_ckpt_info_read(path, &info, err);
	if (!rc) {
		vt_gan_config_defaults(cfg, info.family);
		rc = vt_gan_config_parse(cfg, info.config,
					 strlen(info.config), path, err);
	}
	vt_gan_ckpt_info_release(&info);
	free(path);
	return rc;
}

static int cmd_gan_train(int argc, char **argv)
{
	struct opts o = { 0 };
	struct vt_gan_config cfg;
	struct vt_gan_data data = { 0 };
	struct vt_gan_trainer t;
	struct vt_gan_run_opts ro = { 0 };
	struct show show = { 0 };
	struct sigaction sa = { 0 };
	struct vt_err err;
	uint64_t total;
	char *ckpt = NULL;
	int rc;

	vt_cli_init("gan-train");
	rc = parse(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	rc = o.resume ? resume_config(o.out, &cfg, &err) :
			settings(&o, &cfg, &err);
	if (!rc) {
		if (o.iters >= 0)
			cfg.iters = (uint64_t)o.iters;
		if (o.epochs >= 0) {
			cfg.n_epochs = (uint32_t)o.epochs;
			cfg.iters = 0;
		}
		if (o.sample_every >= 0)
			cfg.sample_interval = (uint64_t)o.sample_every;
		if (o.checkpoint_every >= 0)
			cfg.checkpoint_interval = (uint64_t)o.checkpoint_every;
		rc = vt_gan_config_check(&cfg, o.config ? o.config : "settings",
					 &err);
	}
	if (!rc && !o.threads)
		o.threads = vt_nn_default_threads();
	if (!rc)
		vt_nn_set_threads((int)o.threads);
	if (!rc)
		rc = vt_gan_data_load(&data, cfg.dataset, cfg.img_size,
				      cfg.channels, NULL, &err);
	if (rc)
		return vt_cli_fail(&err);
	rc = vt_gan_trainer_init(&t, &cfg, &data, 0, &err);
	if (rc) {
		vt_gan_data_release(&data);
		return vt_cli_fail(&err);
	}
	total = cfg.iters ? cfg.iters :
		(uint64_t)cfg.n_epochs * vt_gan_trainer_batches_per_epoch(&t);
	t.total = total;
	if (o.resume) {
		ckpt = vt_gan_run_path(o.out, "checkpoint.safetensors");
		rc = ckpt ? vt_gan_trainer_load(&t, ckpt, &err) :
			    vt_err_set(&err, VT_ENOMEM, "out of memory");
	}
	if (!rc) {
		if (vt_cli_verbosity >= 0)
			vt_cli_msg("%s on %s (%llu images %llux%llux%llu): G %zu, "
				   "D %zu parameters; steps %llu to %llu",
				   vt_gan_family_name(cfg.family), cfg.dataset,
				   (unsigned long long)data.n,
				   (unsigned long long)data.c,
				   (unsigned long long)data.h,
				   (unsigned long long)data.w,
				   vt_gan_net_numel(&t.G), vt_gan_net_numel(&t.D),
				   (unsigned long long)t.step + 1,
				   (unsigned long long)total);
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		ro.out_dir = o.out;
		ro.steps = total;
		ro.sample_every = cfg.sample_interval;
		ro.checkpoint_every = cfg.checkpoint_interval;
		ro.resumed = o.resume;
		ro.stop = &stop;
		ro.on_step = on_step;
		ro.ctx = &show;
		vt_progress_start(&show.bar, show.label, total);
		show.bar.done = t.step;
		rc = vt_gan_run(&t, &ro, &err);
		vt_progress_end(&show.bar);
	}
	if (!rc && stop)
		vt_cli_msg("stopped by signal %d at step %llu; the checkpoint "
			   "is in %s/checkpoint.safetensors (--resume goes on)",
			   (int)stop, (unsigned long long)t.step, o.out);
	vt_gan_trainer_release(&t);
	vt_gan_data_release(&data);
	free(ckpt);
	if (rc)
		return vt_cli_fail(&err);
	return stop ? 128 + (int)stop : 0;
}

int main(int argc, char **argv) { return cmd_gan_train(argc, argv); }
