/* vt/augment.h - Cutout and Random Erasing.
 *
 * Drawing and filling are separate: a draw gives rectangles from a generator
 * and the image size only, so the same (seed, image index) gives the same
 * rectangles whatever the pixels; filling writes them into any layout.
 *
 * Cutout (DeVries & Taylor 2017, as in their reference code): for each of n
 * holes the centre pixel is drawn uniformly, cy ~ U{0..H-1} then
 * cx ~ U{0..W-1}; the hole is rows clip(cy - L/2, 0, H) up to (excluded)
 * clip(cy + L/2, 0, H) and columns likewise, with L/2 rounded down (so an
 * odd L gives a square of side L-1, as in the reference code).  The square
 * may lie partly outside the image and is clipped there.
 *
 * Random Erasing (Zhong et al. 2017) with the algorithm of
 * torchvision.transforms.RandomErasing: up to 10 attempts of
 * area = H*W*U(scale), aspect = exp(U(ln ratio)), h = round(sqrt(area *
 * aspect)), w = round(sqrt(area / aspect)) (halves to even); the first with
 * h < H and w < W is placed at top ~ U{0..H-h}, left ~ U{0..W-w}; none: no-op.
 *
 * Both apply with probability p: one uniform draw u, applied when u < p.
 */
#ifndef VT_AUGMENT_H
#define VT_AUGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vt/dtype.h"
#include "vt/err.h"
#include "vt/rng.h"
#include "vt/tensor.h"

/* rows [y1, y2), columns [x1, x2); cy, cx the drawn centre (Cutout) or the
 * top-left corner (erasing). */
struct vt_rect {
	int64_t y1, x1, y2, x2;
	int64_t cy, cx;
};

enum vt_aug_mode {
	VT_AUG_CUTOUT,
	VT_AUG_ERASE,
	VT_AUG_MODE_COUNT
};

enum vt_fill {
	VT_FILL_ZERO,     /* 0 */
	VT_FILL_MEAN,     /* per-channel values given by the caller */
	VT_FILL_NOISE,    /* uniform noise (see vt_aug_fill) */
	VT_FILL_VALUE,    /* per-channel constants given by the caller */
	VT_FILL_COUNT
};

const char *vt_aug_mode_name(enum vt_aug_mode m);
const char *vt_fill_name(enum vt_fill f);

#define VT_AUG_MAX_HOLES 4096

struct vt_aug_opts {
	enum vt_aug_mode mode;
	int holes;            /* rectangles per image, 1..VT_AUG_MAX_HOLES */
	int64_t length;       /* Cutout side L in pixels, >= 1 */
	double p;             /* probability of applying, 0..1 */
	double scale[2];      /* erasing: area fraction, 0 <= a <= b <= 1 */
	double ratio[2];      /* erasing: aspect h/w, 0 < a <= b */
};

/* Cutout defaults (1 hole, p = 1) and torchvision's erasing defaults
 * (scale 0.02..0.33, ratio 0.3..3.3); length must still be set. */
void vt_aug_opts_init(struct vt_aug_opts *o);
/* Check the options: 0 or VT_EINVAL naming the bad one. */
int vt_aug_opts_check(const struct vt_aug_opts *o, struct vt_err *err);

/* Draw the rectangles for one image of h x w into rects (room for
 * o->holes); returns how many (0 when p said no or erasing gave up). */
int vt_cutout_draw(struct vt_rng *r, int64_t h, int64_t w, int64_t length,
		   int holes, double p, struct vt_rect *rects);
int vt_random_erasing_draw(struct vt_rng *r, int64_t h, int64_t w,
			   const double scale[2], const double ratio[2],
			   int holes, double p, struct vt_rect *rects);
/* By o->mode. */
int vt_aug_draw(struct vt_rng *r, int64_t h, int64_t w,
		const struct vt_aug_opts *o, struct vt_rect *rects);

/*
 * Fill the rectangles of one image with c channels whose element (k, y, x)
 * lies at base + (k*sc + y*sy + x*sx) elements of dtype dt (so H,W,C has
 * sc = 1, sy = W*C, sx = C and C,H,W has sc = H*W, sy = W, sx = 1).
 *   ZERO: 0.  MEAN, VALUE: value[k].
 *   NOISE: integers: uniform over the dtype's range clipped to 0..255;
 *   floats: normal ? N(0,1) (torchvision's value="random")
 *           : (U[0,1) - value[k]) / noise_std[k]  (value, noise_std NULL:
 *             plain U[0,1)).
 * Noise is drawn from r row by row, channel innermost.
 */
struct vt_fill_spec {
	enum vt_fill fill;
	const double *value;       /* c values for MEAN, VALUE and NOISE */
	const double *noise_std;   /* c values or NULL */
	int normal;                /* NOISE on floats: N(0,1) */
};
void vt_aug_fill(void *base, enum vt_dtype dt, int64_t c, int64_t sc,
		 int64_t sy, int64_t sx, const struct vt_rect *rects, int n,
		 const struct vt_fill_spec *f, struct vt_rng *r);

/* Per-channel mean of an image in the same addressing, into mean[c]. */
void vt_aug_channel_mean(const void *base, enum vt_dtype dt, int64_t c,
			 int64_t h, int64_t w, int64_t sc, int64_t sy,
			 int64_t sx, double *mean);

/* A U8 mask h x w: 0 inside any rectangle, keep (1 or 255) elsewhere. */
void vt_aug_mask(uint8_t *mask, int64_t h, int64_t w,
		 const struct vt_rect *rects, int n, uint8_t keep);

/*
 * A job: what cutout-aug applies to each image, on U8 H,W,C images or on
 * tensors in any layout.  The rectangles for item `stream` come from
 * vt_rng_seed(seed, stream) alone.
 */
struct vt_aug_job {
	struct vt_aug_opts aug;
	double length_frac;        /* > 0: L = round(frac * shorter side) */
	enum vt_fill fill;
	double value[4];           /* VALUE: in data units; n_value >= 1 */
	int n_value;
	double mean[4], std[4];    /* --mean / --std, in [0,1] units */
	int n_mean, n_std;
	uint64_t seed;
};

void vt_aug_job_init(struct vt_aug_job *j);

/* Where the dimensions of an image tensor are: indices into shape, -1 for
 * an absent N or C. */
struct vt_aug_layout {
	int n, c, h, w;
};

/* From the tensor's dimension names (N, C, H, W; H and W required), or from
 * layout ("N,C,H,W", "H,W,C", "N,H,W", ...) when given or when the tensor
 * has no names.  Errors (VT_EFORMAT) name the tensor. */
int vt_aug_layout_find(const struct vt_tensor *t, const char *layout,
		       struct vt_aug_layout *out, struct vt_err *err);

/* What vt_aug_tensor_image would refuse for any image of t, checked once
 * before any output: a BOOL tensor, too many channels (VT_EUNSUP), a hole
 * larger than the image (VT_EFORMAT). */
int vt_aug_tensor_check(const struct vt_aug_job *j, const struct vt_tensor *t,
			const struct vt_aug_layout *l, const char *name,
			struct vt_err *err);

/* Augment image `item` of t (0 when there is no N dimension) in place with
 * the draws of stream; rects gets up to job->aug.holes rectangles, *n how
 * many.  A length larger than the image is VT_EFORMAT; name is for
 * messages.  t's data must be writable. */
int vt_aug_tensor_image(const struct vt_aug_job *j, struct vt_tensor *t,
			const struct vt_aug_layout *l, uint64_t item,
			uint64_t stream, const char *name,
			struct vt_rect *rects, int *n, struct vt_err *err);

struct vt_aug_guard;
/* The same with the boxes of g kept visible (see vt_aug_draw_guarded);
 * skipped may be NULL. */
int vt_aug_tensor_image_guarded(const struct vt_aug_job *j,
				struct vt_tensor *t,
				const struct vt_aug_layout *l, uint64_t item,
				uint64_t stream, const char *name,
				const struct vt_aug_guard *g,
				struct vt_rect *rects, int *n, int *skipped,
				struct vt_err *err);

/* The same for a U8 H,W,C image (from vt_image_read). */
int vt_aug_image(const struct vt_aug_job *j, struct vt_tensor *img,
		 uint64_t stream, const char *name, struct vt_rect *rects,
		 int *n, struct vt_err *err);
int vt_aug_image_guarded(const struct vt_aug_job *j, struct vt_tensor *img,
			 uint64_t stream, const char *name,
			 const struct vt_aug_guard *g, struct vt_rect *rects,
			 int *n, int *skipped, struct vt_err *err);

/* Image files under dir (recursively, sorted, symlinks to directories not
 * followed) whose extension is in exts ("png,jpg"; NULL: every format stb
 * reads), appended to *paths (malloc'd strings). */
int vt_aug_walk(const char *dir, const char *exts, char ***paths, size_t *n,
		struct vt_err *err);

/*
 * Boxes kept visible (--boxes, --max-box-occlusion).  A box is x1,y1,x2,y2
 * in pixels, continuous coordinates; a rectangle covers [x1,x2) x [y1,y2).
 * A drawn rectangle occludes when it covers more than max_frac of the area
 * of any box (boxes of no area are never occluded).  Such a rectangle is
 * drawn again from the same generator, at most VT_AUG_BOX_ATTEMPTS draws per
 * hole; after that the hole is skipped.  So the draws stay a function of
 * (seed, image index) and the boxes, and with no box (or nothing occluded)
 * they are exactly those of vt_cutout_draw and vt_random_erasing_draw.
 */
#define VT_AUG_BOX_ATTEMPTS 10

/* The fraction of box b (x1,y1,x2,y2) that R covers, 0..1. */
double vt_aug_box_covered(const struct vt_rect *R, const double b[4]);
/* Whether R covers more than max_frac of any of the n boxes (4 doubles each). */
bool vt_aug_rect_occludes(const struct vt_rect *R, const double *boxes,
			  size_t n, double max_frac);

struct vt_aug_guard {
	const double *boxes;   /* n boxes, 4 doubles each */
	size_t n;
	double max_frac;       /* 0..1 */
};

/* vt_aug_draw for an image of h x w with Cutout side length, redrawing
 * rectangles that occlude a box of g (NULL: none); *skipped gets the number
 * of holes given up. */
int vt_aug_draw_guarded(struct vt_rng *r, int64_t h, int64_t w,
			int64_t length, const struct vt_aug_opts *o,
			const struct vt_aug_guard *g, struct vt_rect *rects,
			int *skipped);

/*
 * Labels for --boxes: a directory of YOLO text files (NAME.txt for the image
 * NAME.ext, lines "class cx cy w h" normalised to 0..1; no file: no box), or
 * a COCO instances JSON file (images[].id and file_name, annotations[].
 * image_id and bbox [x,y,w,h] in pixels; an image is found by the base name
 * of its file_name).
 */
struct vt_aug_label_image {
	char *name;            /* base name */
	double *boxes;         /* n boxes x1,y1,x2,y2 */
	size_t n, cap;
	double id;
};

struct vt_aug_labels {
	char *path;
	bool yolo;                         /* a directory */
	struct vt_aug_label_image *images; /* COCO, sorted by name */
	size_t n_images;
};

/* A directory (YOLO) or a COCO JSON file.  Errors: VT_EOPEN, VT_EFORMAT
 * naming the file and the entry ("annotations[3]: ..."), VT_ENOMEM. */
int vt_aug_labels_open(struct vt_aug_labels *l, const char *path,
		       struct vt_err *err);
void vt_aug_labels_release(struct vt_aug_labels *l);
/* COCO JSON from memory into l (initialised by this call; name for
 * messages). */
int vt_aug_labels_parse_coco(struct vt_aug_labels *l, const char *buf,
			     size_t len, const char *name, struct vt_err *err);
/* YOLO text from memory: boxes in pixels of a w x h image, appended to
 * *boxes (malloc'd, 4 doubles a box), *n of them.  Errors name the file
 * and the line. */
int vt_aug_labels_parse_yolo(const char *buf, size_t len, const char *name,
			     int64_t w, int64_t h, double **boxes, size_t *n,
			     struct vt_err *err);
/* The boxes of the image file `image` of w x h: *boxes (malloc'd, or NULL
 * when there are none) and *n. */
int vt_aug_labels_find(const struct vt_aug_labels *l, const char *image,
		       int64_t w, int64_t h, double **boxes, size_t *n,
		       struct vt_err *err);

/* A cutout-aug run (see cutout-aug(1)): the job plus inputs and outputs. */
struct vt_aug_run {
	struct vt_aug_job job;
	char **inputs;
	int n_inputs;
	const char *out;       /* DIR for images; FILE or "-" for tensors */
	const char *log;       /* JSON lines, or NULL */
	const char *ext;       /* extensions taken from directories, or NULL */
	const char *layout;    /* tensors without dimension names */
	const char *tensor;    /* the image tensor's name, or NULL */
	const char *boxes;     /* labels (see vt_aug_labels_open), or NULL */
	double max_occlusion;  /* with boxes: 0..1 */
	int copies, jobs, quality;
	bool masks;
	bool has_format;
	int format;            /* enum vt_image_format when has_format */
	size_t idx_piece_bytes; /* IDX images are read, masked and written in
				   pieces of about this size (0: the
				   default); the bytes out never depend on it */
};

/* .safetensors or .vts */
bool vt_aug_is_tensor_path(const char *path);
/* Images: each input image (files, directories, "-" a list of paths on
 * standard input) to out/RELATIVE-PATH, atomically; in parallel over
 * r->jobs threads; stops at the first failure (by image order). */
int vt_aug_run_images(const struct vt_aug_run *r, struct vt_err *err);
/* Tensors: each record of each input to r->out with its image tensor
 * augmented (r->copies records per input record), a chunk of images at a
 * time after the record's header.  An IDX input (see vt_idx_is_path) is one
 * record with the tensor "images"; N,H,W becomes N,C,H,W with C = 1.  With
 * one copy such a file is streamed (inflated whole first when it can be,
 * see vt_idx_stream_opts; else a piece at a time, with r->jobs >= 2 on a
 * second thread while this one masks and writes), so output may be written
 * before a truncated or corrupt input is found (a named output is then
 * removed, as on any failure).  What the image's shape rules out (a hole
 * larger than the image) is found before any output. */
int vt_aug_run_tensors(const struct vt_aug_run *r, struct vt_err *err);

/* e^x from +, -, *, / only (bit-identical everywhere), for |x| < 700. */
double vt_det_exp(double x);

#endif
