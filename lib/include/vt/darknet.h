/* vt/darknet.h - darknet models: .cfg parser, .weights reader and writer,
 * network builder, float32 inference, letterbox preprocessing and YOLO
 * decoding.
 *
 * A .cfg is a list of sections "[name]" each followed by "key=value" lines;
 * '#' and ';' start comment lines, blank lines are ignored.  Section types
 * and the keys each accepts come from one registry table (see
 * vt_dn_layer_name); an unknown section or key is an error "FILE:LINE:
 * ..." unless VT_DN_LENIENT, which skips them.  Training-only keys of [net]
 * and [yolo] are accepted and ignored.
 *
 * A .weights file: int32 major, minor, revision; "seen" as uint64 when
 * major*10+minor >= 2, else int32; then, for each [convolutional] layer in
 * cfg order: biases[n], then scales[n], rolling_mean[n], rolling_variance[n]
 * when batch_normalize, then weights[n * (c/groups) * size * size].  The
 * file size must match the cfg exactly.
 *
 * Inference follows pjreddie's darknet: batch norm
 * y = scale*(x-mean)/(sqrt(var)+1e-6) + bias, folded into the convolution at
 * load time; leaky slope 0.1; [yolo] applies the logistic to x, y,
 * objectness and the classes (with AlexeyAB's scale_x_y on x and y) and
 * leaves w and h raw.  The forward allocates nothing.
 */
#ifndef VT_DARKNET_H
#define VT_DARKNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vt/err.h"
#include "vt/nms.h"
#include "vt/record.h"
#include "vt/tensor.h"

enum vt_dn_type {
	VT_DN_NET,
	VT_DN_CONV,
	VT_DN_MAXPOOL,
	VT_DN_UPSAMPLE,
	VT_DN_ROUTE,
	VT_DN_SHORTCUT,
	VT_DN_YOLO,
	VT_DN_TYPE_COUNT
};

enum vt_dn_act {
	VT_DN_LINEAR,
	VT_DN_LEAKY,
	VT_DN_RELU,
	VT_DN_LOGISTIC,
	VT_DN_MISH,
	VT_DN_SWISH,
	VT_DN_ACT_COUNT
};

/* Section names ("net", "convolutional", ...) and activation names; NULL
 * out of range.  vt_dn_type_parse accepts darknet's aliases ("conv",
 * "max", "network"); both return 0 or VT_EINVAL. */
const char *vt_dn_type_name(enum vt_dn_type t);
int vt_dn_type_parse(const char *s, enum vt_dn_type *out);
const char *vt_dn_act_name(enum vt_dn_act a);
int vt_dn_act_parse(const char *s, enum vt_dn_act *out);

/* Apply an activation to n values in place. */
void vt_dn_activate(float *x, size_t n, enum vt_dn_act a);

#define VT_DN_MAX_ROUTE 8
#define VT_DN_MAX_ANCHORS 32

struct vt_dn_layer {
	enum vt_dn_type type;
	int line;                       /* line of the section header */
	int c, h, w;                    /* input shape */
	int out_c, out_h, out_w;        /* output shape */
	size_t out_n;                   /* out_c*out_h*out_w */
	float *out;                     /* into the network's arena */
	enum vt_dn_act act;
	/* [convolutional] */
	int filters, size, stride, pad, groups;
	bool batch_norm;
	float *biases, *scales, *mean, *var, *weights;   /* one block */
	size_t n_weights;               /* filters*(c/groups)*size*size */
	bool folded;                    /* batch norm folded into weights */
	/* 3x3 stride 1 convolutions: Winograd F(2x2,3x3) transformed
	 * weights, 16 matrices (filters, c), filled by vt_dn_net_fold */
	float *wino;
	bool wino_ready;
	/* [maxpool]: size, stride, pad; [upsample]: stride, scale */
	float scale;
	/* [route] */
	int n_in;
	int in[VT_DN_MAX_ROUTE];        /* absolute layer indices */
	int route_groups, group_id;
	/* [shortcut] */
	int from;                       /* absolute layer index */
	/* [yolo] */
	int classes, n_mask, n_anchors;
	int mask[VT_DN_MAX_ANCHORS];
	float anchors[2 * VT_DN_MAX_ANCHORS];
	float scale_x_y;
};

struct vt_dn_net {
	char *name;                     /* the cfg's name for messages */
	int w, h, c;                    /* [net] input */
	int n;                          /* layers, [net] excluded */
	struct vt_dn_layer *layers;
	float *input;                   /* c*h*w, fill before vt_dn_forward */
	float *arena;                   /* all outputs */
	float *work;                    /* im2col buffer */
	size_t work_n;
	size_t n_params;                /* floats in a .weights file */
	double flops;                   /* multiply-adds x 2 of one forward */
	int major, minor, revision;
	uint64_t seen;
	bool shared;                    /* parameters belong to another net */
};

/* Flags of vt_dn_net_parse. */
#define VT_DN_LENIENT 1u   /* skip unknown sections and keys */

/* What a network may take by default: outputs, work buffer and
 * parameters together (each thread's clone takes outputs and work again). */
#define VT_DN_MAX_BYTES_DEFAULT (UINT64_C(16) << 30)

/*
 * Parse a cfg (buf of len bytes, name for messages) and build the network:
 * shapes inferred and checked, buffers allocated, parameters zero.  A
 * network that would take more than max_bytes (0: the default above) is
 * refused before anything is allocated.  Errors: VT_ECONFIG
 * "NAME:LINE: ...", VT_ELIMIT "NAME: the network takes N MiB ...",
 * VT_ENOMEM.
 */
int vt_dn_net_parse(const char *buf, size_t len, const char *name,
		    unsigned flags, uint64_t max_bytes, struct vt_dn_net **out,
		    struct vt_err *err);
int vt_dn_net_load_cfg(const char *path, unsigned flags, uint64_t max_bytes,
		       struct vt_dn_net **out, struct vt_err *err);
void vt_dn_net_free(struct vt_dn_net *net);
/* A second network with its own input, outputs and work buffer that
 * shares net's parameters (read-only): one per thread.  Free it before
 * net.  Errors: VT_ENOMEM. */
int vt_dn_net_clone(const struct vt_dn_net *net, struct vt_dn_net **out,
		    struct vt_err *err);

/* Read parameters from a .weights file (size checked exactly), then fold
 * batch norm.  Errors: VT_EOPEN, VT_EIO, VT_EFORMAT. */
int vt_dn_weights_read(struct vt_dn_net *net, FILE *f, const char *name,
		       struct vt_err *err);
int vt_dn_weights_load(struct vt_dn_net *net, const char *path,
		       struct vt_err *err);
int vt_dn_weights_read_mem(struct vt_dn_net *net, const void *buf,
			   size_t len, const char *name, struct vt_err *err);
/* Write parameters (header 0.2.0, seen 0) to f; not after folding. */
int vt_dn_weights_write(const struct vt_dn_net *net, FILE *f,
			const char *name, struct vt_err *err);
/* vt_dn_net_synth(net, seed), then the weights written to path atomically
 * (--synth-weights).  Errors: those of both, VT_ECREATE. */
int vt_dn_synth_save(struct vt_dn_net *net, uint64_t seed, const char *path,
		     struct vt_err *err);

/*
 * Deterministic synthetic parameters (before folding), from vt_rng seeded
 * (seed, layer index): convolution weights uniform in +-sqrt(6/fan_in) (He
 * uniform), biases uniform in +-0.1; with batch norm, scales uniform in
 * [0.5, 1.5], rolling_mean uniform in +-0.1, rolling_variance uniform in
 * [0.5, 1.5].  A convolution that feeds a [yolo] layer has its weights
 * scaled by 0.1 and the biases of its objectness channels redrawn uniform
 * in [-5, -1] (after the weights), so that objectness spreads out and few
 * cells pass 0.25.  A convolution that feeds a [shortcut] (the end of a
 * residual branch) has its weights scaled by 0.1 too, so that activations
 * stay in range through yolov3's 23 residual blocks (raw w, h about 1
 * instead of 1e5).  Draw order per layer: biases, scales, means, variances,
 * weights, each in index order.
 */
int vt_dn_net_synth(struct vt_dn_net *net, uint64_t seed, struct vt_err *err);

/* Fold batch norm into the weights and biases (idempotent), then fill the
 * Winograd weights of the layers that have them. */
void vt_dn_net_fold(struct vt_dn_net *net);

/* Run the network on net->input.  Allocates nothing. */
void vt_dn_forward(struct vt_dn_net *net);
/* Run layers one by one, calling cb after each (for --profile); cb may be
 * NULL. */
void vt_dn_forward_cb(struct vt_dn_net *net,
		      void (*cb)(void *arg, int layer), void *arg);
/* Whether a layer runs as Winograd F(2x2,3x3): 3x3, stride 1, pad 1, one
 * group, at least VT_DN_WINO_MIN_C input channels. */
#define VT_DN_WINO_MIN_C 128
bool vt_dn_conv_wino(const struct vt_dn_layer *l);
/* Whether a layer runs as a direct convolution (vt_dn_conv3x3_direct): 3x3,
 * stride 1 or 2, pad 1, one group, at most VT_DN_DIRECT_MAX_C input
 * channels, not Winograd. */
#define VT_DN_DIRECT_MAX_C 16
#define VT_DN_DIRECT_NF 4
bool vt_dn_conv_direct(const struct vt_dn_layer *l);
/* Floats of work that vt_dn_conv3x3_direct needs. */
size_t vt_dn_direct_work_n(int c, int h, int w, int m, int stride);
/* out: (m, (h-1)/stride+1, (w-1)/stride+1) = act(conv(in, weights) + bias),
 * in: (c, h, w), weights: (m, c, 3, 3), stride 1 or 2, zero padding 1;
 * work: vt_dn_direct_work_n floats.  Fused multiply-adds where the CPU has
 * them (AVX2 and FMA). */
void vt_dn_conv3x3_direct(float *out, const float *in, const float *weights,
			  const float *bias, int m, int c, int h, int w,
			  int stride, enum vt_dn_act act, float *work);
/* C (m, n, rows ldc apart) = A (m, k) B (k, n), with A packed by
 * vt_dn_pgemm_pack_a into vt_dn_pgemm_a_n floats, (m/MR, k, MR), and B
 * packed into vt_dn_pgemm_b_n floats, (n/NR, k, NR) with zero columns beyond
 * n.  Fused multiply-adds where the CPU has them. */
#define VT_DN_PG_MR 16
#define VT_DN_PG_NR 6
size_t vt_dn_pgemm_a_n(int m, int k);
size_t vt_dn_pgemm_b_n(int k, int n);
void vt_dn_pgemm_pack_a(float *pa, const float *a, int m, int k);
void vt_dn_pgemm(float *c, size_t ldc, const float *pa, const float *pb,
		 int m, int n, int k);
/* The same product stored transposed: C[i][j] at ct[j * ldc + i], for the
 * rows up to m rounded up to VT_DN_PG_MR (ldc at least that; the rows
 * beyond m get the zero rows of A's packing). */
void vt_dn_pgemm_t(float *ct, size_t ldc, const float *pa, const float *pb,
		   int m, int n, int k);
/* Multiply-adds x 2 of layer i. */
double vt_dn_layer_flops(const struct vt_dn_net *net, int i);

/* Ops, exposed for the tests.  Shapes in comments. */
/* out: (c*k*k, oh*ow)  in: (c, h, w) */
void vt_dn_im2col(float *out, const float *in, int c, int h, int w, int k,
		  int stride, int pad);
/* out: (c, oh, ow)  in: (c, h, w); darknet's offset -pad/2, max of the
 * positions inside the image */
void vt_dn_maxpool(float *out, const float *in, int c, int h, int w,
		   int size, int stride, int pad, int oh, int ow);

/*
 * Preprocessing.  img: U8 H,W,C (C = 3: RGB).  out: (3, nh, nw) float.
 * Letterbox as pjreddie's darknet: scale to fit with integer new sizes,
 * bilinear resize (align-corners sampling, horizontal pass then vertical,
 * float32), paste centred on 0.5 gray.  Stretch: the same resize to the
 * full network size.  tmp needs vt_dn_resize_tmp_n floats.
 */
enum vt_dn_resize { VT_DN_LETTERBOX, VT_DN_STRETCH, VT_DN_RESIZE_COUNT };
void vt_dn_letterbox_dims(int w, int h, int nw, int nh, int *new_w,
			  int *new_h);
size_t vt_dn_resize_tmp_n(int w, int h, int nw, int nh);
void vt_dn_preprocess(float *out, const uint8_t *img, int w, int h, int ch,
		      int nw, int nh, enum vt_dn_resize mode, float *tmp);

/* One detection: box in pixels of the original image (x1, y1, x2, y2). */
struct vt_dn_det {
	float box[4];
	float bx, by, bw, bh;           /* darknet's relative centre box */
	float score;                    /* objectness x class probability */
	float objectness;
	int class_id;
};

struct vt_dn_decode_opts {
	float thresh;                   /* 0.25 */
	float nms;                      /* 0.45; 0 disables */
	enum vt_nms_kind nms_kind;
	enum vt_dn_resize resize;
	bool clamp;
	size_t max_dets;                /* 0: all */
};

/*
 * Decode every [yolo] layer of the last forward for an image of w x h
 * pixels: candidates with objectness > thresh, one detection per class with
 * probability > thresh, boxes corrected for the letterbox, per-class NMS,
 * then sorted by score (descending) and cut to max_dets.  *dets is
 * malloc'd (NULL when *n is 0).  Errors: VT_ENOMEM.
 */
int vt_dn_decode(const struct vt_dn_net *net, int w, int h,
		 const struct vt_dn_decode_opts *o, struct vt_dn_det **dets,
		 size_t *n, struct vt_err *err);

/* Options of vt_dn_detect_all. */
struct vt_dn_run_opts {
	int threads;                    /* >= 1: images in parallel */
	struct vt_dn_decode_opts dec;
	bool keep_raw;                  /* fill vt_dn_result.raw */
	bool keep_image;                /* fill vt_dn_result.image */
	double *layer_s;                /* NULL, or net->n seconds per layer,
					   added to over all images */
};

/* The result of one image for vt_dn_detect_all's callback: status 0 and
 * the detections, or a negative status with err (the image could not be
 * read). */
struct vt_dn_result {
	size_t index;                   /* of the path in the input */
	const char *path;
	int width, height;
	struct vt_dn_det *dets;         /* owned by vt_dn_detect_all */
	size_t n;
	float *raw;                     /* keep_raw: vt_dn_raw_n floats, the
					   [yolo] outputs in layer order */
	struct vt_tensor image;         /* keep_image: the decoded U8 H,W,3
					   (the callback may draw on it) */
	int status;
	struct vt_err err;
};
typedef int (*vt_dn_result_fn)(void *arg, struct vt_dn_result *r,
			       struct vt_err *err);

/*
 * Detect objects in n images with o->threads threads (images in parallel,
 * each worker with its own network clone; with fewer images than threads
 * OpenBLAS gets the spare threads; sets OpenBLAS's thread count; each
 * worker reads and preprocesses its own images: no other thread).  fn is
 * called from the calling thread once per image in input order; a
 * non-zero return stops the run and is returned.  The network must hold
 * folded weights.  Errors: those of fn, VT_ENOMEM, VT_EOS.
 */
int vt_dn_detect_all(struct vt_dn_net *net, char *const *paths, size_t n,
		     const struct vt_dn_run_opts *o, vt_dn_result_fn fn,
		     void *arg, struct vt_err *err);

/*
 * Raw [yolo] outputs (--raw).  vt_dn_raw_n: floats of all [yolo] layers'
 * outputs; vt_dn_raw_copy copies them from the last forward in layer order.
 * vt_dn_raw_record fills rec (initialised by the caller) with one tensor
 * per [yolo] layer i, "yolo<i>" F32 [anchor, entry, H, W] (entries x, y,
 * w, h, objectness, classes; x, y, objectness and classes logistic, w and
 * h raw: darknet's l.output), viewing raw (which must outlive rec), and the
 * metadata image, width, height, resize, and per layer "yolo<i>.anchors"
 * (the masked anchors, "w,h,w,h,...", in network pixels).  Errors:
 * VT_ENOMEM.
 */
size_t vt_dn_raw_n(const struct vt_dn_net *net);
/* The record of r (kept with keep_raw) written to f.  Errors: VT_EIO
 * (naming name), VT_ENOMEM. */
int vt_dn_raw_write(FILE *f, const char *name, const struct vt_dn_net *net,
		    const struct vt_dn_result *r, enum vt_dn_resize resize,
		    struct vt_err *err);
void vt_dn_raw_copy(const struct vt_dn_net *net, float *dst);
int vt_dn_raw_record(const struct vt_dn_net *net, float *raw,
		     const char *image, int width, int height,
		     enum vt_dn_resize resize, struct vt_record *rec,
		     struct vt_err *err);

/*
 * --profile: a table of the layers (index, type, output shape, time in ms,
 * GFLOP, GFLOP/s) and a total line, written to f; layer_s as summed by
 * vt_dn_detect_all over `images` images (GFLOP summed likewise).
 * Errors: VT_EIO (naming name).
 */
int vt_dn_profile_write(FILE *f, const char *name,
			const struct vt_dn_net *net, const double *layer_s,
			size_t images, struct vt_err *err);

/* Image paths from a list file (NULL: none), then the arguments: files,
 * directories (their images by extension, sorted, no hidden files) and
 * "-" (paths on standard input, one a line).  Empty lines are skipped.
 * rel (may be NULL) gets a malloc'd array of offsets into each path where
 * its relative name starts (for outputs under a directory): an image found
 * in a directory, its path below that directory; a file named directly,
 * the path itself when relative and free of "..", without leading "./",
 * else its base name.  Errors: VT_EOPEN, VT_EIO, VT_ENOMEM. */
int vt_dn_collect_images(const char *list, char *const *args, int nargs,
			 char ***paths, size_t *n, size_t **rel,
			 struct vt_err *err);

/*
 * --draw: boxes of the detections (in pixels of img) in per-class colours
 * (vt_draw_class_color), outlines max(1, min(W, H) / 250) pixels wide,
 * each with a label "NAME SCORE" (score with two decimals; NAME the class
 * id when names has no entry for it) in the built-in font, scale 1 + min(W,
 * H) / 500, on a filled bar of the box's colour above the box (inside it
 * when the box touches the top).  Lower scores are drawn first, so the best
 * stay on top.
 */
void vt_dn_draw(struct vt_tensor *img, const struct vt_dn_det *d, size_t n,
		char *const *names, int n_names);
/* Draw on img and write it as DIR/REL (directories made as needed), in
 * the format of REL's extension when vt writes it (PNG, JPEG, BMP, TGA),
 * else as PNG with ".png" replacing the extension.  Errors: those of
 * vt_image_write, VT_ECREATE, VT_ENOMEM. */
int vt_dn_draw_write(const char *dir, const char *rel, struct vt_tensor *img,
		     const struct vt_dn_det *d, size_t n, char *const *names,
		     int n_names, struct vt_err *err);
/* Lines of f without their newline (and '\r'); skip_empty drops empty
 * ones.  Errors: VT_EIO (naming name), VT_ENOMEM. */
int vt_dn_read_lines(FILE *f, const char *name, bool skip_empty,
		     char ***lines, size_t *n, struct vt_err *err);
void vt_dn_lines_free(char **lines, size_t n);
/* Class names from path, one a line (empty lines kept: a name may be
 * empty), at least as many as every [yolo] layer of net has classes.
 * Errors: VT_EOPEN, VT_EIO, VT_ECONFIG (too few), VT_ENOMEM. */
int vt_dn_names_load(const char *path, const struct vt_dn_net *net,
		     char ***names, size_t *n, struct vt_err *err);

#endif
