/* run.c - a training run: steps, log, sample grids, plot, checkpoints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vt/size.h"
#include "vt/gan_train.h"
#include "vt/outfile.h"

char *vt_gan_run_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int sample(struct vt_gan_trainer *t, const char *dir, float *buf,
		  struct vt_err *err)
{
	char name[64];
	char *path;
	int rc;

	snprintf(name, sizeof name, "samples/step-%08llu.png",
		 (unsigned long long)t->step);
	path = vt_gan_run_path(dir, name);
	if (!path)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	rc = vt_mkdirs_for(path, err);
	if (!rc)
		rc = vt_gan_generate(t, NULL, 25, true, buf, err);
	if (!rc)
		rc = vt_gan_grid_save(path, buf, 25, t->cfg.channels,
				      t->cfg.img_size, t->cfg.img_size, 5, 2,
				      err);
	free(path);
	return rc;
}

static int write_config(struct vt_gan_trainer *t, const char *path,
			struct vt_err *err)
{
	struct vt_outfile o = { 0 };
	char *text = NULL;
	int rc = vt_gan_config_format(&t->cfg, &text, err);

	if (!rc)
		rc = vt_outfile_open(&o, path, err);
	if (!rc) {
		fputs(text, o.fp);
		rc = vt_outfile_commit(&o, err);
	}
	free(text);
	return rc;
}

static int plot(const char *log_path, const char *svg, struct vt_err *err)
{
	struct vt_gan_series s;
	int rc = vt_gan_series_read(log_path, &s, err);

	if (rc)
		return rc;
	rc = vt_gan_plot_svg(svg, &s, err);
	vt_gan_series_release(&s);
	return rc;
}

int vt_gan_run(struct vt_gan_trainer *t, const struct vt_gan_run_opts *o,
	       struct vt_err *err)
{
	char *ckpt = vt_gan_run_path(o->out_dir, "checkpoint.safetensors");
	char *log_path = vt_gan_run_path(o->out_dir, "log.csv");
	char *cfg_path = vt_gan_run_path(o->out_dir, "config.cfg");
	char *svg = vt_gan_run_path(o->out_dir, "loss.svg");
	struct vt_gan_log log = { 0 };
	struct vt_err lerr;
	float *buf = NULL;
	double t0 = now();
	int rc = 0, step_rc = 0;

	if (!ckpt || !log_path || !cfg_path || !svg)
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
	if (!rc) {
		buf = vt_malloc_array((size_t)25 * t->cfg.channels *
				      t->cfg.img_size * t->cfg.img_size,
				      sizeof *buf);
		if (!buf)
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	if (!rc)
		rc = vt_mkdirs_for(cfg_path, err);
	if (!rc)
		rc = write_config(t, cfg_path, err);
	if (!rc)
		rc = vt_gan_log_open(&log, log_path, t->loss_names,
				     (size_t)t->n_losses,
				     o->resumed ? t->step : 0, err);
	while (!rc && t->step < o->steps && !(o->stop && *o->stop)) {
		step_rc = vt_gan_train_step(t, err);
		if (step_rc)
			break;
		rc = vt_gan_log_row(&log, t->step, t->batcher.epoch,
				    t->losses, t->lr, now() - t0, err);
		if (!rc && o->sample_every && t->step % o->sample_every == 0)
			rc = sample(t, o->out_dir, buf, err);
		if (!rc && o->checkpoint_every &&
		    t->step % o->checkpoint_every == 0)
			rc = vt_gan_trainer_save(t, ckpt, err);
		if (o->on_step)
			o->on_step(o->ctx, t);
	}
	if (step_rc) {
		rc = step_rc;
	} else if (!rc) {
		/* the end, or a signal: keep everything */
		if (!o->sample_every || t->step % o->sample_every)
			rc = sample(t, o->out_dir, buf, err);
		if (!rc)
			rc = vt_gan_trainer_save(t, ckpt, err);
	}
	if (vt_gan_log_close(&log, rc ? &lerr : err) && !rc)
		rc = err->code;
	if (!rc)
		rc = plot(log_path, svg, err);
	free(buf);
	free(ckpt);
	free(log_path);
	free(cfg_path);
	free(svg);
	return rc;
}
