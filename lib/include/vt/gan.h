/* vt/gan.h - what gan-train needs around the network engine: configs, data,
 * logs, sample grids, loss plots and checkpoints.
 *
 * Nothing here depends on the autograd engine: parameters and optimiser
 * state cross this boundary as plain buffers with names and shapes.
 */
#ifndef VT_GAN_H
#define VT_GAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vt/dtype.h"
#include "vt/err.h"
#include "vt/rng.h"
#include "vt/tensor.h"

/* ------------------------------------------------------------------ */
/* Configuration (vt-config(5))                                        */

enum vt_gan_family {
	VT_GAN_GAN,
	VT_GAN_DCGAN,
	VT_GAN_LSGAN,
	VT_GAN_WGAN,
	VT_GAN_WGAN_GP,
	VT_GAN_FAMILY_COUNT
};

/* Network shapes: the collection's MLP generator/discriminator (MLPG, MLPD)
 * or its DCGAN ones (DCG, DCD). */
enum vt_gan_arch {
	VT_GAN_ARCH_MLP,
	VT_GAN_ARCH_DCGAN,
	VT_GAN_ARCH_COUNT
};

enum vt_gan_loss {
	VT_GAN_LOSS_BCE,          /* BCE on the sigmoid output */
	VT_GAN_LOSS_MSE,          /* least squares to 1 / 0 */
	VT_GAN_LOSS_WASSERSTEIN,  /* critic: -E[D(x)] + E[D(G(z))] */
	VT_GAN_LOSS_COUNT
};

enum vt_gan_optim {
	VT_GAN_OPTIM_ADAM,
	VT_GAN_OPTIM_RMSPROP,
	VT_GAN_OPTIM_SGD,
	VT_GAN_OPTIM_COUNT
};

enum vt_gan_init {
	VT_GAN_INIT_DEFAULT,      /* PyTorch's kaiming-uniform a=sqrt(5) */
	VT_GAN_INIT_NORMAL,       /* weights_init_normal: conv N(0, 0.02),
				     batch norm weight N(1, 0.02), bias 0 */
	VT_GAN_INIT_XAVIER,       /* Xavier (Glorot) uniform, bias 0 */
	VT_GAN_INIT_COUNT
};

enum vt_gan_sched {
	VT_GAN_SCHED_CONSTANT,
	VT_GAN_SCHED_LINEAR,      /* linear decay to 0 over the run */
	VT_GAN_SCHED_COSINE,      /* cosine decay to 0 over the run */
	VT_GAN_SCHED_STEP,        /* x lr_gamma every lr_step steps */
	VT_GAN_SCHED_COUNT
};

#define VT_GAN_SPEC_MAX 1024   /* bytes of a dataset spec, with the NUL */

struct vt_gan_config {
	enum vt_gan_family family;
	/* [data] */
	char dataset[VT_GAN_SPEC_MAX];
	uint32_t img_size;
	uint32_t channels;
	/* [model] */
	uint32_t latent_dim;
	enum vt_gan_arch generator;
	enum vt_gan_arch discriminator;
	bool g_input_bn;          /* DCG's BatchNorm2d(128) after the Linear */
	bool d_sigmoid;           /* Sigmoid at the end of D */
	double bn_eps;
	double bn_momentum;
	double leaky_slope;
	double dropout;           /* DCD's Dropout2d probability */
	enum vt_gan_init init;
	/* [loss] */
	enum vt_gan_loss loss;
	uint32_t n_critic;        /* D steps per G step */
	double clip_value;        /* weight clipping of D after each step; 0 off */
	double lambda_gp;         /* gradient penalty weight; 0 off */
	/* [optim] */
	enum vt_gan_optim optimizer;
	double lr;
	double b1, b2;            /* Adam betas */
	double eps;               /* Adam / RMSprop epsilon */
	double rms_alpha;         /* RMSprop smoothing */
	double momentum;          /* SGD / RMSprop momentum */
	double weight_decay;
	enum vt_gan_sched lr_schedule;
	uint64_t lr_step;
	double lr_gamma;
	/* [train] */
	uint32_t batch_size;
	uint32_t n_epochs;
	uint64_t iters;           /* 0: n_epochs decides */
	uint64_t seed;
	uint64_t sample_interval;
	uint64_t checkpoint_interval;
};

/* Stable names: "gan", "dcgan", ...; NULL out of range. */
const char *vt_gan_family_name(enum vt_gan_family f);
/* 0, or VT_ECONFIG naming the known families. */
int vt_gan_family_parse(const char *s, enum vt_gan_family *out,
			struct vt_err *err);
const char *vt_gan_arch_name(enum vt_gan_arch a);
const char *vt_gan_loss_name(enum vt_gan_loss l);
const char *vt_gan_optim_name(enum vt_gan_optim o);
const char *vt_gan_init_name(enum vt_gan_init i);
const char *vt_gan_sched_name(enum vt_gan_sched s);

/* The collection's settings for a family (what configs/gan/NAME.cfg says). */
void vt_gan_config_defaults(struct vt_gan_config *c, enum vt_gan_family f);

/*
 * Parse a config text (len bytes; need not end in NUL).  name is the file
 * name for messages: every error reads "NAME:LINE: problem" (VT_ECONFIG).
 * The first setting must be "family = NAME"; it sets that family's defaults,
 * and every later line overrides one of them.  Unknown sections and keys,
 * keys in the wrong section, duplicates and bad values are errors.
 */
int vt_gan_config_parse(struct vt_gan_config *c, const char *text, size_t len,
			const char *name, struct vt_err *err);
/* The same from a file (VT_EOPEN / VT_EIO when it cannot be read). */
int vt_gan_config_load(struct vt_gan_config *c, const char *path,
		       struct vt_err *err);
/* Apply one "key=value" override (key may be "section.key"), validated as
 * in a file; errors read "--set 'ARG': problem".  "family" cannot be set. */
int vt_gan_config_set(struct vt_gan_config *c, const char *arg,
		      struct vt_err *err);
/* Checks across keys (architecture vs image size, loss vs sigmoid, ...);
 * errors read "NAME: problem". */
int vt_gan_config_check(const struct vt_gan_config *c, const char *name,
			struct vt_err *err);
/* Every key in canonical form, parseable back to the same struct; a
 * malloc'd NUL-terminated string in *out. */
int vt_gan_config_format(const struct vt_gan_config *c, char **out,
			 struct vt_err *err);
/* Whether two configs hold the same settings. */
bool vt_gan_config_equal(const struct vt_gan_config *a,
			 const struct vt_gan_config *b);

/* ------------------------------------------------------------------ */
/* Checkpoints                                                         */

/*
 * One named buffer of a checkpoint: a parameter ("G.model.0.weight", the
 * PyTorch-GAN modules' state_dict names with a "G." or "D." prefix), an
 * optimiser state ("opt.G.model.0.weight.exp_avg"), a random generator
 * ("rng.noise", U8 [VT_GAN_RNG_BYTES]) or anything else the trainer keeps.
 * Saving reads data; loading writes into it.  C-order contiguous.
 */
struct vt_gan_entry {
	const char *name;
	enum vt_dtype dtype;
	int rank;
	uint64_t shape[VT_MAX_RANK];
	void *data;
};

/* What a checkpoint says about itself (metadata "vt.gan.family",
 * "vt.gan.config", "vt.gan.step", "vt.gan.epoch"). */
struct vt_gan_ckpt_info {
	enum vt_gan_family family;
	uint64_t step;
	uint64_t epoch;
	char *config;             /* canonical config text; malloc'd on load */
};

void vt_gan_ckpt_info_release(struct vt_gan_ckpt_info *info);

/* Every difference between a checkpoint and the entries expected of it, one
 * line each ("G.model.0.weight: shape [256,100] in the file, [128,100]
 * expected", "D.model.4.bias: missing", "x: not expected"). */
struct vt_gan_mismatch {
	char **lines;
	size_t n;
};

void vt_gan_mismatch_release(struct vt_gan_mismatch *m);

/*
 * Write a checkpoint to path as one safetensors record: every entry as a
 * tensor of its name, and info (config text required) as metadata.
 * Atomic: a temporary file beside path, fsync'd, renamed over it only when
 * complete, so a failure (disk full) leaves the previous checkpoint as it
 * was.  Names must be valid tensor names and unique.
 */
int vt_gan_ckpt_save(const char *path, const struct vt_gan_ckpt_info *info,
		     const struct vt_gan_entry *e, size_t n,
		     struct vt_err *err);

/* Read only the metadata of a checkpoint (to build the networks first). */
int vt_gan_ckpt_info_read(const char *path, struct vt_gan_ckpt_info *info,
			  struct vt_err *err);

/* Flags of vt_gan_ckpt_load. */
enum {
	/* Tensors of the file that no entry asks for are fine (gan-sample
	 * loads the generator alone). */
	VT_GAN_CKPT_PARTIAL = 1u << 0,
};

/*
 * Load a checkpoint into the entries.  The file's family must be `family`,
 * and its tensors exactly the entries by name, dtype and shape (with
 * VT_GAN_CKPT_PARTIAL: at least the entries): otherwise
 * VT_EFORMAT with the mismatches in the message (as many as fit, then a
 * count) and, when mm is not NULL, all of them in *mm.  No entry is
 * written unless everything matches.  info (may be NULL) receives the
 * metadata.
 */
int vt_gan_ckpt_load(const char *path, enum vt_gan_family family,
		     const struct vt_gan_entry *e, size_t n, unsigned flags,
		     struct vt_gan_ckpt_info *info, struct vt_gan_mismatch *mm,
		     struct vt_err *err);

/* A generator's state as bytes, the same on every machine (little-endian
 * state words, the spare normal deviate's bits, its flag). */
#define VT_GAN_RNG_BYTES 41
void vt_gan_rng_pack(const struct vt_rng *r, uint8_t out[VT_GAN_RNG_BYTES]);
void vt_gan_rng_unpack(struct vt_rng *r, const uint8_t in[VT_GAN_RNG_BYTES]);

/* ------------------------------------------------------------------ */
/* Outputs: log.csv, sample grids, loss plot                           */

/*
 * The training log: a CSV file with the header
 * "step,epoch,<loss names...>,lr,seconds" and one row per logged step.
 * Rows are flushed as written, so the file is readable while training.
 */
struct vt_gan_log {
	FILE *fp;
	char *path;
	size_t n_losses;
};

/*
 * Open path for the losses named (1-32 names of [A-Za-z0-9_.]).
 * resume_step 0 starts a new file; otherwise the existing file (whose
 * header must name the same columns) keeps its rows up to resume_step, is
 * rewritten atomically, and new rows are appended (a missing file starts
 * anew).
 */
int vt_gan_log_open(struct vt_gan_log *log, const char *path,
		    const char *const *loss_names, size_t n_losses,
		    uint64_t resume_step, struct vt_err *err);
int vt_gan_log_row(struct vt_gan_log *log, uint64_t step, uint64_t epoch,
		   const double *losses, double lr, double seconds,
		   struct vt_err *err);
/* Close (checking the final flush); NULL-safe, idempotent. */
int vt_gan_log_close(struct vt_gan_log *log, struct vt_err *err);

/* A numeric CSV file in memory: n_cols named columns, n_rows rows. */
struct vt_gan_series {
	char **names;
	size_t n_cols;
	double *data;             /* row-major, n_rows x n_cols */
	size_t n_rows;
};

/* Read a log written by vt_gan_log_* (any numeric CSV with a header);
 * errors name the file and line. */
int vt_gan_series_read(const char *path, struct vt_gan_series *s,
		       struct vt_err *err);
void vt_gan_series_release(struct vt_gan_series *s);

/*
 * An SVG plot of the losses against the step: every column but step,
 * epoch, lr and seconds as one polyline (series longer than 1000 points
 * averaged in 1000 buckets; non-finite values skipped), axes with ticks
 * and a legend.  Written atomically.
 */
int vt_gan_plot_svg(const char *path, const struct vt_gan_series *s,
		    struct vt_err *err);

/*
 * A grid of images as torchvision.utils.make_grid(x, nrow, padding,
 * normalize=True, pad_value=0) and save_image make it: x is (N,C,H,W)
 * float with C 1, 3 or 4, min-max normalised over the whole batch,
 * placed row by row with `padding` pixels of 0 around and between the
 * images (none for a single image), scaled by 255, rounded (+0.5,
 * truncated) and clamped.  One channel is repeated into RGB.  out (need
 * not be initialised) is U8 [H',W',3 or 4] "H,W,C".
 */
int vt_gan_grid(struct vt_tensor *out, const float *x, size_t n, size_t c,
		size_t h, size_t w, size_t nrow, size_t padding,
		struct vt_err *err);
/* The same, written to path (PNG by its extension) atomically. */
int vt_gan_grid_save(const char *path, const float *x, size_t n, size_t c,
		     size_t h, size_t w, size_t nrow, size_t padding,
		     struct vt_err *err);

/* ------------------------------------------------------------------ */
/* Data                                                                */

#define VT_GAN_FASHION_DIR "/usr/share/datasets/fashion-mnist"

/* The images stay 8-bit when the source is (a quarter of the memory:
 * Fashion-MNIST at 32x32 is 61 MB, not 246) and are normalised as they are
 * gathered into batches; vt_gan_data_f32 makes the whole array F32. */
struct vt_gan_data {
	struct vt_tensor images;  /* [N,C,H,W] "N,C,H,W": U8 pixel levels, or
				     F32 already in [-1, 1] */
	struct vt_tensor labels;  /* I64 [N] "N"; data NULL when none */
	uint64_t n, c, h, w;
};

struct vt_gan_data_opts {
	const char *fashion_dir;  /* NULL: VT_GAN_FASHION_DIR */
	const char *mnist_dir;    /* NULL: $VT_MNIST_DIR, else
				     $HOME/.cache/vt/mnist */
	uint64_t max_images;      /* 0: all; else the first ones */
};

/*
 * Load a dataset (vt-config(5), [data] dataset): "fashion-mnist",
 * "fashion-mnist:train", "fashion-mnist:test", "mnist", an IDX file, a
 * tensor record (.safetensors, .vts, .npy) or a directory of images.
 * Images are resized to size x size as PIL's bilinear resize would and
 * made `channels` deep; vt_gan_data_gather normalises them as
 * torchvision's ToTensor and Normalize(0.5, 0.5).  opts may be
 * NULL.  Errors name the file: VT_EOPEN, VT_EIO, VT_EFORMAT, VT_ELIMIT,
 * VT_ENOMEM; VT_ECONFIG for a spec that names nothing.
 */
int vt_gan_data_load(struct vt_gan_data *d, const char *spec, uint32_t size,
		     uint32_t channels, const struct vt_gan_data_opts *opts,
		     struct vt_err *err);
void vt_gan_data_release(struct vt_gan_data *d);

/* The directory "mnist" names (opts->mnist_dir or its default) into buf. */
void vt_gan_mnist_dir(const struct vt_gan_data_opts *opts, char *buf,
		      size_t size);

/*
 * PIL's Image.resize((ow, oh), BILINEAR) of an 8-bit image (ih, iw, c)
 * interleaved into out (oh, ow, c): the triangle filter widened by the
 * scale when reducing, coefficients in 22-bit fixed point, horizontal pass
 * first (rounded to 8 bits), then vertical.  Bit-exact with Pillow for
 * modes L and RGB.  0, VT_EINVAL or VT_ENOMEM.
 */
int vt_gan_resize_u8(uint8_t *out, size_t oh, size_t ow, const uint8_t *in,
		     size_t ih, size_t iw, size_t c, struct vt_err *err);

/*
 * Minibatches: each epoch a new permutation of 0..n-1 drawn from the
 * caller's generator, cut into batches of `batch`, the last one smaller
 * when n is not a multiple (drop_last false).  State is plain data, so a
 * checkpoint can keep perm, pos and epoch.
 */
struct vt_gan_batcher {
	uint64_t n, batch;
	uint64_t *perm;           /* the current epoch's order */
	uint64_t pos;             /* next position in perm; n: epoch done */
	uint64_t epoch;           /* epoch of the last batch, from 0 */
	bool started;
};

int vt_gan_batcher_init(struct vt_gan_batcher *b, uint64_t n, uint64_t batch,
			struct vt_err *err);
void vt_gan_batcher_release(struct vt_gan_batcher *b);
/* The next batch: *idx points into perm, the count is returned (>= 1). */
size_t vt_gan_batcher_next(struct vt_gan_batcher *b, struct vt_rng *rng,
			   const uint64_t **idx);
/* Batches per epoch: ceil(n / batch). */
uint64_t vt_gan_batcher_per_epoch(const struct vt_gan_batcher *b);

/* x = (u8 / 255 - 0.5) / 0.5 in float32, as ToTensor + Normalize. */
float vt_gan_normalize_u8(uint8_t u);
/* Turn U8 images into F32 in [-1, 1] in place (no-op when F32). */
int vt_gan_data_f32(struct vt_gan_data *d, struct vt_err *err);
/* Copy images idx[0..count-1], normalised, into out: (count,C,H,W). */
void vt_gan_data_gather(const struct vt_gan_data *d, const uint64_t *idx,
			size_t count, float *out);

#endif
