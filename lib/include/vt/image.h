/* vt/image.h - image files through stb: reading, writing, conversions.
 *
 * In memory an image is a U8 tensor [H,W,C] with dimension names "H,W,C"
 * (C = 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), rows top to bottom.  Every
 * format stb_image reads is read (PNG, JPEG, BMP, TGA, GIF first frame,
 * PSD, PIC, PNM, HDR converted to 8 bits); PNG, JPEG, BMP and TGA are
 * written (PNG by vt's own encoder on zlib, the others by stb).  The dimensions are checked against a limit from the header
 * alone, before anything is decoded.
 */
#ifndef VT_IMAGE_H
#define VT_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vt/err.h"
#include "vt/tensor.h"

#define VT_IMAGE_MAX_SIDE_DEFAULT UINT64_C(16384)
#define VT_IMAGE_MAX_PIXELS_DEFAULT (UINT64_C(256) << 20)   /* 256 Mpixels */

struct vt_image_limits {
	uint64_t max_side;     /* largest width or height; 0: the default */
	uint64_t max_pixels;   /* largest width x height; 0: the default */
};

enum vt_image_format {
	VT_IMAGE_PNG,
	VT_IMAGE_JPEG,
	VT_IMAGE_BMP,
	VT_IMAGE_TGA,
	VT_IMAGE_FORMAT_COUNT
};

/* "png", "jpeg", "bmp", "tga"; NULL out of range. */
const char *vt_image_format_name(enum vt_image_format f);
/* The format written for a path by its extension (.png, .jpg, .jpeg, .bmp,
 * .tga, any case): 0, or VT_EUNSUP with a message naming the path. */
int vt_image_format_from_path(const char *path, enum vt_image_format *out,
			      struct vt_err *err);
/* Whether stb can read a file by this name's extension (for directory walks:
 * png jpg jpeg bmp tga gif psd pic pnm ppm pgm hdr). */
int vt_image_readable_ext(const char *path);

/* Width, height and channel count from the header (nothing is decoded;
 * the file is read whole for the checks that guard stb_image). */
int vt_image_info(const char *path, int *w, int *h, int *channels,
		  struct vt_err *err);
int vt_image_info_mem(const void *buf, size_t len, const char *name, int *w,
		      int *h, int *channels, struct vt_err *err);

/*
 * Decode into an owning U8 tensor [H,W,C] named "H,W,C" (t need not be
 * initialised; released on failure).  channels 0 keeps the file's count,
 * 1-4 converts.  limits may be NULL.  Errors: VT_EOPEN (cannot open),
 * VT_EIO, VT_ELIMIT (too large, from the header), VT_EFORMAT (not an image,
 * truncated, corrupt), VT_ENOMEM; messages start with "'NAME': ".
 */
int vt_image_read(const char *path, int channels,
		  const struct vt_image_limits *limits, struct vt_tensor *t,
		  struct vt_err *err);
int vt_image_read_mem(const void *buf, size_t len, const char *name,
		      int channels, const struct vt_image_limits *limits,
		      struct vt_tensor *t, struct vt_err *err);

/* Check that t is an image: U8, rank 3, C in 1..4, H and W in 1..2^31-1. */
int vt_image_check(const struct vt_tensor *t, const char *name,
		   struct vt_err *err);

/* Encode t (U8 [H,W,C]) to f.  quality 1-100 for JPEG (0: 90).  JPEG drops
 * an alpha channel. */
int vt_image_encode(FILE *f, const char *name, const struct vt_tensor *t,
		    enum vt_image_format fmt, int quality, struct vt_err *err);
/* Write t to path atomically, in the format of its extension. */
int vt_image_write(const char *path, const struct vt_tensor *t, int quality,
		   struct vt_err *err);
/* The same with vt_outfile_open_flags flags (VT_OUTFILE_NOSYNC for batches
 * of small outputs). */
int vt_image_write_flags(const char *path, const struct vt_tensor *t,
			 int quality, unsigned flags, struct vt_err *err);

/*
 * Conversions between U8 [H,W,C] and F32 [C,H,W] planes (one image of an
 * N,C,H,W batch): x = (u / 255 - mean[c]) / std[c], and back
 * u = round((x * std[c] + mean[c]) * 255) clamped to 0..255.  mean and std
 * may be NULL (0 and 1).
 */
/* out: (C,H,W) */
void vt_image_u8_to_f32(float *out, const uint8_t *in, size_t h, size_t w,
			size_t c, const float *mean, const float *std);
/* out: (H,W,C) */
void vt_image_f32_to_u8(uint8_t *out, const float *in, size_t h, size_t w,
			size_t c, const float *mean, const float *std);

/* Tensor forms: an F32 [1,C,H,W] "N,C,H,W" from an image, and image n of an
 * F32 N,C,H,W batch as an image. */
int vt_image_to_nchw(const struct vt_tensor *img, const float *mean,
		     const float *std, struct vt_tensor *out, struct vt_err *err);
int vt_image_from_nchw(const struct vt_tensor *batch, uint64_t n,
		       const float *mean, const float *std,
		       struct vt_tensor *out, struct vt_err *err);

#endif
