/* vt/gan_train.h - the networks and the training loop of gan-train.
 *
 * A network is a list of layers named as the PyTorch-GAN collection's
 * modules name them ("model.3", "conv_blocks.2", "adv_layer.0"), so the
 * parameters carry their state_dict names ("G.model.0.weight").  The
 * trainer owns a generator G, a discriminator (or critic) D, their
 * optimisers, the random generators and the data order; one call of
 * vt_gan_train_step trains on one batch as the family's script does.
 * Everything a run needs to continue exactly is in its checkpoint:
 * parameters, batch-norm buffers, optimiser state, step, epoch, position in
 * the epoch and every random generator.
 */
#ifndef VT_GAN_TRAIN_H
#define VT_GAN_TRAIN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vt/err.h"
#include "vt/gan.h"
#include "vt/nn.h"
#include "vt/nn_optim.h"
#include "vt/rng.h"

enum vt_gan_layer_kind {
	VT_GAN_L_LINEAR,
	VT_GAN_L_CONV,          /* 3x3, stride 1 or 2, padding 1 */
	VT_GAN_L_BN1D,
	VT_GAN_L_BN2D,
	VT_GAN_L_LEAKY,
	VT_GAN_L_TANH,
	VT_GAN_L_SIGMOID,
	VT_GAN_L_UPSAMPLE,      /* nearest x2 */
	VT_GAN_L_DROPOUT2D,
	VT_GAN_L_VIEW,          /* to [N, shape...] (flatten: rank 1) */
	VT_GAN_L_COUNT
};

const char *vt_gan_layer_name(enum vt_gan_layer_kind k);

#define VT_GAN_NAME_MAX 64

struct vt_gan_layer {
	enum vt_gan_layer_kind kind;
	char name[24];                  /* state_dict prefix: "model.3" */
	/* parameter and buffer names, "G.model.3.weight" ... */
	char wname[VT_GAN_NAME_MAX], bname[VT_GAN_NAME_MAX];
	char mname[VT_GAN_NAME_MAX], vname[VT_GAN_NAME_MAX];
	char tname[VT_GAN_NAME_MAX];
	struct vt_nn_val *w, *b;        /* parameters (NULL when none) */
	struct vt_nn_val *running_mean, *running_var;  /* BN buffers */
	int64_t num_batches_tracked;
	int stride, pad;
	double a;                       /* slope, eps or p */
	double momentum;                /* batch norm */
	int rank;                       /* view: per-sample shape */
	int64_t shape[4];
};

struct vt_gan_net {
	char prefix[4];                 /* "G" or "D" */
	struct vt_gan_layer *layers;
	int n;
	struct vt_nn_val **params;      /* trainable, in state_dict order */
	int n_params;
};

/* How a forward pass runs. */
struct vt_gan_mode {
	bool train;          /* batch statistics, dropout on */
	bool update_stats;   /* train mode: move the running statistics */
	struct vt_rng *rng;  /* dropout masks */
};

/* Build G or D for a config (F32 parameters, initialised from rng as the
 * config's init says). */
int vt_gan_net_build_g(struct vt_gan_net *net, const struct vt_gan_config *c,
		       struct vt_rng *rng, struct vt_err *err);
int vt_gan_net_build_d(struct vt_gan_net *net, const struct vt_gan_config *c,
		       struct vt_rng *rng, struct vt_err *err);
void vt_gan_net_release(struct vt_gan_net *net);
struct vt_nn_val *vt_gan_net_forward(struct vt_gan_net *net,
				     struct vt_nn_graph *g,
				     struct vt_nn_val *x,
				     const struct vt_gan_mode *mode);
/* Whether a forward pass leaves no trace and draws nothing (no batch
 * norm, no dropout): two passes on the same input give the same values. */
bool vt_gan_net_stateless(const struct vt_gan_net *net);
/* Number of trainable scalars. */
size_t vt_gan_net_numel(const struct vt_gan_net *net);

#define VT_GAN_MAX_LOSSES 4

struct vt_gan_trainer {
	struct vt_gan_config cfg;
	struct vt_gan_net G, D;
	struct vt_nn_optim opt_g, opt_d;
	struct vt_nn_graph *graph;
	struct vt_rng rng_noise;     /* latent vectors, interpolation weights */
	struct vt_rng rng_drop;      /* dropout masks */
	const struct vt_gan_data *data;  /* borrowed; NULL when only sampling */
	struct vt_gan_batcher batcher;
	struct vt_rng rng_data;      /* the epochs' orders */
	float *batch;                /* [batch_size, c, h, w] */
	uint64_t step;               /* batches trained */
	uint64_t g_steps;            /* generator updates */
	uint64_t total;              /* steps of the whole run (schedules) */
	float *fixed_z;              /* 25 latent vectors for sample grids */
	/* the latest losses, by name */
	int n_losses;
	const char *loss_names[VT_GAN_MAX_LOSSES];
	double losses[VT_GAN_MAX_LOSSES];
	double lr;
	/* checkpoint entries */
	struct vt_gan_entry *entries;
	size_t n_entries;
	uint8_t rng_bytes[3][VT_GAN_RNG_BYTES];
	uint64_t counters[6];
};

/*
 * Set up a trainer for cfg: networks, optimisers, random generators seeded
 * from cfg->seed.  data may be NULL (sampling only); else it holds images
 * loaded with the config's img_size and channels.  total is the number of
 * steps the run will make (for learning-rate schedules).
 */
int vt_gan_trainer_init(struct vt_gan_trainer *t,
			const struct vt_gan_config *cfg,
			const struct vt_gan_data *data, uint64_t total,
			struct vt_err *err);
void vt_gan_trainer_release(struct vt_gan_trainer *t);
/* Batches per epoch (the last one may be short, like drop_last=False). */
uint64_t vt_gan_trainer_batches_per_epoch(const struct vt_gan_trainer *t);
/* Train on the next batch.  VT_EFORMAT when a loss is not finite (the
 * parameters are then not updated by that step's failing part; the caller
 * keeps its last checkpoint). */
int vt_gan_train_step(struct vt_gan_trainer *t, struct vt_err *err);
/* Generate n images from the latent vectors z (n x latent_dim floats) into
 * out (n x c x h x w) with G; train-mode batch norm uses the batch's
 * statistics without moving the running ones. */
int vt_gan_generate(struct vt_gan_trainer *t, const float *z, size_t n,
		    bool train_bn, float *out, struct vt_err *err);
/* Checkpoint the whole state, or restore it (the file's config must be the
 * trainer's family; shapes are checked and every mismatch listed). */
int vt_gan_trainer_save(struct vt_gan_trainer *t, const char *path,
			struct vt_err *err);
int vt_gan_trainer_load(struct vt_gan_trainer *t, const char *path,
			struct vt_err *err);
/* Only the generator's parameters and buffers (gan-sample). */
int vt_gan_trainer_load_generator(struct vt_gan_trainer *t, const char *path,
				  struct vt_err *err);

/* ------------------------------------------------------------------ */
/* A training run (gan-train)                                          */

/*
 * What a run writes under out_dir: config.cfg (the effective settings),
 * log.csv (a row per step), samples/step-NNNNNNNN.png (5x5 grids of the
 * fixed latent vectors every sample_every steps and at the end), loss.svg
 * (at the end) and checkpoint.safetensors (every checkpoint_every steps,
 * at the end and when *stop becomes non-zero; atomic, so an interrupted
 * write leaves the previous one).  A failing step (a loss not finite)
 * ends the run without a checkpoint of the failed state.
 */
struct vt_gan_run_opts {
	const char *out_dir;
	uint64_t steps;              /* the run ends at this step */
	uint64_t sample_every;       /* 0: at the end only */
	uint64_t checkpoint_every;   /* 0: at the end only */
	bool resumed;                /* the trainer was loaded from out_dir */
	volatile sig_atomic_t *stop; /* set by a signal handler; may be NULL */
	/* called after every step (progress display); may be NULL */
	void (*on_step)(void *ctx, const struct vt_gan_trainer *t);
	void *ctx;
};

int vt_gan_run(struct vt_gan_trainer *t, const struct vt_gan_run_opts *o,
	       struct vt_err *err);
/* The checkpoint path of a run directory (malloc'd), or NULL. */
char *vt_gan_run_path(const char *dir, const char *name);

/* ------------------------------------------------------------------ */
/* Sampling (gan-sample)                                               */

/* n images (n x C x H x W floats in [-1, 1]) from G and the latent
 * vectors z (n x latent_dim), or vectors drawn from seed when z is NULL;
 * eval-mode batch norm unless train_bn (then the n images are one batch). */
int vt_gan_sample(struct vt_gan_trainer *t, size_t n, const float *z,
		  uint64_t seed, bool train_bn, float *out, struct vt_err *err);
/* Each image as dir/NNNNNN.png, [-1, 1] mapped to 0..255. */
int vt_gan_sample_pngs(const char *dir, const float *x, size_t n, size_t c,
		       size_t h, size_t w, struct vt_err *err);
/* One record with "images" F32 [N,C,H,W] to path ("-": standard output). */
int vt_gan_sample_record(const char *path, const struct vt_gan_trainer *t,
			 const float *x, size_t n, struct vt_err *err);

#endif
