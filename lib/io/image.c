/* image.c - image files through Debian's libstb (stb_image, stb_image_write)
 * and vt's PNG encoder (png.c).
 *
 * Dimensions come from stbi_info_from_memory and are checked against the
 * limits before stbi_load_from_memory runs: stb_image has a record of
 * overflows on crafted files, and a huge header alone must not make us
 * allocate.  stbi_failure_reason is thread-local, so reading is thread-safe.
 * The common PNG (8 bits, not interlaced) is decoded by pngread.c on zlib,
 * several times faster, and by stb when pngread.c declines; binary PGM and
 * PPM by pnm.c.  Every file goes through stbguard.c before any stb call:
 * Debian's stb predates 2.28's fixes, and crashes or hangs on some files.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "vt/image.h"
#include "vt/outfile.h"
#include "vt/size.h"
#include "vt/file.h"

#include "png.h"
#include "pnm.h"
#include "stbguard.h"

static const char *const format_names[] = { "png", "jpeg", "bmp", "tga" };
_Static_assert(sizeof format_names / sizeof format_names[0] ==
	       VT_IMAGE_FORMAT_COUNT, "format_names");

const char *vt_image_format_name(enum vt_image_format f)
{
	return (unsigned)f < VT_IMAGE_FORMAT_COUNT ? format_names[f] : NULL;
}

static const char *extension(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');

	if (!dot || (slash && dot < slash) || dot == path ||
	    (slash && dot == slash + 1))
		return "";
	return dot + 1;
}

int vt_image_format_from_path(const char *path, enum vt_image_format *out,
			      struct vt_err *err)
{
	static const struct { const char *ext; enum vt_image_format f; } map[] = {
		{ "png", VT_IMAGE_PNG }, { "jpg", VT_IMAGE_JPEG },
		{ "jpeg", VT_IMAGE_JPEG }, { "bmp", VT_IMAGE_BMP },
		{ "tga", VT_IMAGE_TGA },
	};
	const char *ext = extension(path);

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcasecmp(ext, map[i].ext) == 0) {
			*out = map[i].f;
			return 0;
		}
	return vt_err_set(err, VT_EUNSUP, "'%s': unknown image format for "
			  "writing (extension is not png, jpg, jpeg, bmp or "
			  "tga)", path);
}

int vt_image_readable_ext(const char *path)
{
	static const char *const exts[] = { "png", "jpg", "jpeg", "bmp", "tga",
		"gif", "psd", "pic", "pnm", "ppm", "pgm", "hdr" };
	const char *ext = extension(path);

	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
		if (strcasecmp(ext, exts[i]) == 0)
			return 1;
	return 0;
}


static const char *reason(void)
{
	const char *r = stbi_failure_reason();

	return r ? r : "unknown error";
}

/* PNG dimensions straight from IHDR: stb refuses a PNG whose decoded size
 * would pass 2^30 bytes with a generic "unknown image type", and a huge
 * image should be reported as one.  1 if buf starts with a PNG IHDR. */
static int png_dims(const unsigned char *p, size_t len, uint64_t *w,
		    uint64_t *h)
{
	static const unsigned char sig[16] = { 0x89, 'P', 'N', 'G', '\r', '\n',
		0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R' };

	if (len < 24 || memcmp(p, sig, sizeof sig) != 0)
		return 0;
	*w = (uint64_t)p[16] << 24 | (uint64_t)p[17] << 16 |
	     (uint64_t)p[18] << 8 | p[19];
	*h = (uint64_t)p[20] << 24 | (uint64_t)p[21] << 16 |
	     (uint64_t)p[22] << 8 | p[23];
	return 1;
}

static int check_limits(const char *name, uint64_t w, uint64_t h,
			const struct vt_image_limits *limits,
			struct vt_err *err)
{
	uint64_t max_side = limits && limits->max_side ? limits->max_side
						       : VT_IMAGE_MAX_SIDE_DEFAULT;
	uint64_t max_pix = limits && limits->max_pixels
				   ? limits->max_pixels
				   : VT_IMAGE_MAX_PIXELS_DEFAULT;

	if (w > max_side || h > max_side)
		return vt_err_set(err, VT_ELIMIT, "'%s': image %llux%llu exceeds "
				  "the limit of %llux%llu", name,
				  (unsigned long long)w, (unsigned long long)h,
				  (unsigned long long)max_side,
				  (unsigned long long)max_side);
	if (w * h > max_pix)   /* both below 2^32: no overflow */
		return vt_err_set(err, VT_ELIMIT, "'%s': image %llux%llu has "
				  "%llu pixels, above the limit of %llu", name,
				  (unsigned long long)w, (unsigned long long)h,
				  (unsigned long long)(w * h),
				  (unsigned long long)max_pix);
	return 0;
}

int vt_image_info_mem(const void *buf, size_t len, const char *name, int *w,
		      int *h, int *channels, struct vt_err *err)
{
	int x = 0, y = 0, c = 0, rc;
	struct vt_pnm pnm;

	if (len == 0)
		return vt_err_set(err, VT_EFORMAT, "'%s': empty file, not an "
				  "image", name);
	if (len > INT_MAX)
		return vt_err_set(err, VT_ELIMIT, "'%s': %zu bytes exceed the "
				  "limit of %d bytes for an image", name, len,
				  INT_MAX);
	rc = vt_stb_guard(buf, len, name, err);
	if (rc)
		return rc;
	rc = vt_pnm_header(buf, len, name, &pnm, err);
	if (rc < 0)
		return rc;
	if (rc) {
		x = (int)pnm.w;
		y = (int)pnm.h;
		c = pnm.nc;
	} else if (!stbi_info_from_memory(buf, (int)len, &x, &y, &c)) {
		return vt_err_set(err, VT_EFORMAT, "'%s': not a readable image "
				  "(%s)", name, reason());
	}
	if (x <= 0 || y <= 0 || c < 1 || c > 4)
		return vt_err_set(err, VT_EFORMAT, "'%s': image header gives "
				  "%dx%d with %d channels", name, x, y, c);
	*w = x;
	*h = y;
	*channels = c;
	return 0;
}

/* The whole file, not stbi_info_from_file: stb acts on JPEG tables before
 * the frame header, and the guard must see them first. */
int vt_image_info(const char *path, int *w, int *h, int *channels,
		  struct vt_err *err)
{
	char *buf;
	size_t len;
	int rc = vt_file_read(path, INT_MAX, &buf, &len, err);

	if (rc)
		return rc;
	rc = vt_image_info_mem(buf, len, path, w, h, channels, err);
	free(buf);
	return rc;
}

/* Whether a PNG chunk claims more bytes than the file has left.  stb_image
 * grows its IDAT buffer to what a chunk claims before it reads the chunk,
 * so a truncated or hostile file could make it allocate gigabytes; such a
 * file is refused first, in stb's own words ("outofdata"). */
static bool png_chunk_past_end(const unsigned char *b, size_t len)
{
	static const unsigned char magic[8] = { 0x89, 'P', 'N', 'G',
						'\r', '\n', 0x1a, '\n' };
	size_t pos = 8;

	if (len < 8 || memcmp(b, magic, 8) != 0)
		return false;
	while (len - pos >= 8) {
		uint32_t clen = (uint32_t)b[pos] << 24 | (uint32_t)b[pos + 1] << 16 |
				(uint32_t)b[pos + 2] << 8 | b[pos + 3];

		if (clen > len - pos - 8)
			return true;
		if (memcmp(b + pos + 4, "IEND", 4) == 0)
			return false;
		pos += 8 + (size_t)clen;
		if (len - pos < 4)
			return false;
		pos += 4;   /* the CRC */
	}
	return false;
}

/* t as a new U8 [h, w, c] tensor named "H,W,C"; released and cleared,
 * with the error naming the file, on failure. */
static int image_tensor(struct vt_tensor *t, int h, int w, int c,
			const char *name, struct vt_err *err)
{
	int rc = vt_tensor_init(t, NULL, VT_U8, 3,
				(uint64_t[3]){ (uint64_t)h, (uint64_t)w,
					       (uint64_t)c }, err);

	if (!rc)
		rc = vt_tensor_set_dims(t, "H,W,C", 5, err);
	if (rc) {
		vt_tensor_release(t);
		memset(t, 0, sizeof *t);
		vt_err_prefix(err, "'%s'", name);
	}
	return rc;
}

int vt_image_read_mem(const void *buf, size_t len, const char *name,
		      int channels, const struct vt_image_limits *limits,
		      struct vt_tensor *t, struct vt_err *err)
{
	int w, h, c, dw = 0, dh = 0, dc = 0, rc;
	uint64_t pw, ph;
	unsigned char *pix;
	struct vt_pnm pnm;

	memset(t, 0, sizeof *t);
	if (channels < 0 || channels > 4)
		return vt_err_set(err, VT_EINVAL, "'%s': %d channels asked, "
				  "expected 0 to 4", name, channels);
	if (png_dims(buf, len, &pw, &ph) && pw && ph) {
		rc = check_limits(name, pw, ph, limits, err);
		if (rc)
			return rc;
	}
	rc = vt_image_info_mem(buf, len, name, &w, &h, &c, err);
	if (!rc)
		rc = check_limits(name, (uint64_t)w, (uint64_t)h, limits, err);
	if (rc)
		return rc;
	if (channels == 0)
		channels = c;
	/* the common PNG through zlib (png.h), anything else through stb */
	if (png_dims(buf, len, &pw, &ph)) {
		rc = image_tensor(t, h, w, channels, name, err);
		if (rc)
			return rc;
		if (vt_png_decode8(buf, len, (uint32_t)w, (uint32_t)h,
				   channels, t->data) == 0)
			return 0;
		vt_tensor_release(t);
		memset(t, 0, sizeof *t);
	}
	/* binary PGM and PPM by pnm.c (stb mishandles 16-bit ones) */
	if (vt_pnm_header(buf, len, name, &pnm, err) == 1) {
		rc = image_tensor(t, h, w, channels, name, err);
		if (!rc && (rc = vt_pnm_decode(buf, len, name, &pnm, channels,
					       t->data, err))) {
			vt_tensor_release(t);
			memset(t, 0, sizeof *t);
		}
		return rc;
	}
	if (png_chunk_past_end(buf, len))
		return vt_err_set(err, VT_EFORMAT, "'%s': cannot decode image "
				  "(outofdata)", name);
	pix = stbi_load_from_memory(buf, (int)len, &dw, &dh, &dc, channels);
	if (!pix)
		return vt_err_set(err, strcmp(reason(), "outofmem") == 0
				  ? VT_ENOMEM : VT_EFORMAT,
				  "'%s': cannot decode image (%s)", name,
				  reason());
	if (dw != w || dh != h) {
		stbi_image_free(pix);
		return vt_err_set(err, VT_EFORMAT, "'%s': decoded %dx%d, the "
				  "header said %dx%d", name, dw, dh, w, h);
	}
	rc = image_tensor(t, h, w, channels, name, err);
	if (rc) {
		stbi_image_free(pix);
		return rc;
	}
	memcpy(t->data, pix, t->nbytes);
	stbi_image_free(pix);
	return 0;
}

int vt_image_read(const char *path, int channels,
		  const struct vt_image_limits *limits, struct vt_tensor *t,
		  struct vt_err *err)
{
	char *buf;
	size_t len;
	int rc;

	memset(t, 0, sizeof *t);
	/* stb takes an int length */
	rc = vt_file_read(path, INT_MAX, &buf, &len, err);
	if (rc)
		return rc;
	rc = vt_image_read_mem(buf, len, path, channels, limits, t, err);
	free(buf);
	return rc;
}

int vt_image_check(const struct vt_tensor *t, const char *name,
		   struct vt_err *err)
{
	if (t->dtype != VT_U8 || t->rank != 3)
		return vt_err_set(err, VT_EFORMAT, "'%s': image tensor is %s "
				  "of rank %d, expected U8 [H,W,C]", name,
				  vt_dtype_name(t->dtype), t->rank);
	if (t->shape[2] < 1 || t->shape[2] > 4 || t->shape[0] < 1 ||
	    t->shape[1] < 1 || t->shape[0] > INT_MAX || t->shape[1] > INT_MAX)
		return vt_err_set(err, VT_EFORMAT, "'%s': image of %llux%llu "
				  "with %llu channels cannot be written", name,
				  (unsigned long long)t->shape[1],
				  (unsigned long long)t->shape[0],
				  (unsigned long long)t->shape[2]);
	return 0;
}

struct sink {
	FILE *f;
	int failed;
};

static void sink_write(void *ctx, void *data, int size)
{
	struct sink *s = ctx;

	if (size > 0 && !s->failed &&
	    fwrite(data, 1, (size_t)size, s->f) != (size_t)size)
		s->failed = errno ? errno : EIO;
}

int vt_image_encode(FILE *f, const char *name, const struct vt_tensor *t,
		    enum vt_image_format fmt, int quality, struct vt_err *err)
{
	struct sink s = { f, 0 };
	int w, h, c, ok = 0, rc;

	rc = vt_image_check(t, name, err);
	if (rc)
		return rc;
	h = (int)t->shape[0];
	w = (int)t->shape[1];
	c = (int)t->shape[2];
	if ((uint64_t)w * (uint64_t)c > INT_MAX)
		return vt_err_set(err, VT_ELIMIT, "'%s': rows of %d x %d bytes "
				  "are too long to write", name, w, c);
	if (quality < 0 || quality > 100)
		return vt_err_set(err, VT_EINVAL, "'%s': JPEG quality %d is "
				  "not in 1..100", name, quality);
	errno = 0;
	switch (fmt) {
	case VT_IMAGE_PNG:
		/* vt's own encoder: zlib's deflate at PIL's level, far
		 * faster than stb's for the same size */
		return vt_png_encode(f, name, t->data, (uint32_t)w,
				     (uint32_t)h, c, VT_PNG_LEVEL, err);
	case VT_IMAGE_JPEG:
		ok = stbi_write_jpg_to_func(sink_write, &s, w, h, c, t->data,
					    quality ? quality : 90);
		break;
	case VT_IMAGE_BMP:
		ok = stbi_write_bmp_to_func(sink_write, &s, w, h, c, t->data);
		break;
	case VT_IMAGE_TGA:
		ok = stbi_write_tga_to_func(sink_write, &s, w, h, c, t->data);
		break;
	default:
		return vt_err_set(err, VT_EINVAL, "'%s': unknown image format "
				  "%d", name, (int)fmt);
	}
	if (s.failed) {
		errno = s.failed;
		return vt_err_sys(err, VT_EIO, "'%s': write error", name);
	}
	if (!ok)
		return vt_err_set(err, VT_ENOMEM, "'%s': %s encoder failed "
				  "(out of memory)", name, format_names[fmt]);
	return 0;
}

int vt_image_write(const char *path, const struct vt_tensor *t, int quality,
		   struct vt_err *err)
{
	return vt_image_write_flags(path, t, quality, 0, err);
}

int vt_image_write_flags(const char *path, const struct vt_tensor *t,
			 int quality, unsigned flags, struct vt_err *err)
{
	struct vt_outfile of;
	enum vt_image_format fmt;
	int rc = vt_image_format_from_path(path, &fmt, err);

	if (!rc)
		rc = vt_image_check(t, path, err);
	if (rc)
		return rc;
	rc = vt_outfile_open_flags(&of, path, flags, err);
	if (rc)
		return rc;
	rc = vt_image_encode(of.fp, path, t, fmt, quality, err);
	if (!rc)
		return vt_outfile_commit(&of, err);
	vt_outfile_abort(&of);
	return rc;
}

/* out: (C,H,W) */
void vt_image_u8_to_f32(float *out, const uint8_t *in, size_t h, size_t w,
			size_t c, const float *mean, const float *std)
{
	size_t plane = h * w;

	for (size_t k = 0; k < c; k++) {
		float m = mean ? mean[k] : 0.0f;
		float s = std ? std[k] : 1.0f;
		float *o = out + k * plane;
		const uint8_t *p = in + k;

		for (size_t i = 0; i < plane; i++)
			o[i] = ((float)p[i * c] / 255.0f - m) / s;
	}
}

/* out: (H,W,C) */
void vt_image_f32_to_u8(uint8_t *out, const float *in, size_t h, size_t w,
			size_t c, const float *mean, const float *std)
{
	size_t plane = h * w;

	for (size_t k = 0; k < c; k++) {
		float m = mean ? mean[k] : 0.0f;
		float s = std ? std[k] : 1.0f;
		const float *p = in + k * plane;
		uint8_t *o = out + k;

		for (size_t i = 0; i < plane; i++) {
			float v = (p[i] * s + m) * 255.0f;

			/* NaN and below 0 give 0 */
			o[i * c] = v >= 255.0f ? 255
				 : v > 0.0f ? (uint8_t)nearbyintf(v) : 0;
		}
	}
}

int vt_image_to_nchw(const struct vt_tensor *img, const float *mean,
		     const float *std, struct vt_tensor *out, struct vt_err *err)
{
	int rc = vt_image_check(img, "image", err);

	memset(out, 0, sizeof *out);
	if (!rc)
		rc = vt_tensor_init(out, NULL, VT_F32, 4,
				    (uint64_t[4]){ 1, img->shape[2],
						   img->shape[0],
						   img->shape[1] }, err);
	if (!rc)
		rc = vt_tensor_set_dims(out, "N,C,H,W", 7, err);
	if (rc) {
		vt_tensor_release(out);
		return rc;
	}
	vt_image_u8_to_f32(out->data, img->data, img->shape[0], img->shape[1],
			   img->shape[2], mean, std);
	return 0;
}

int vt_image_from_nchw(const struct vt_tensor *batch, uint64_t n,
		       const float *mean, const float *std,
		       struct vt_tensor *out, struct vt_err *err)
{
	uint64_t plane;
	int rc;

	memset(out, 0, sizeof *out);
	if (batch->dtype != VT_F32 || batch->rank != 4)
		return vt_err_set(err, VT_EFORMAT, "batch is %s of rank %d, "
				  "expected F32 [N,C,H,W]",
				  vt_dtype_name(batch->dtype), batch->rank);
	if (n >= batch->shape[0])
		return vt_err_set(err, VT_EINVAL, "image %llu of a batch of "
				  "%llu", (unsigned long long)n,
				  (unsigned long long)batch->shape[0]);
	if (batch->shape[1] < 1 || batch->shape[1] > 4)
		return vt_err_set(err, VT_EFORMAT, "batch has %llu channels, "
				  "expected 1 to 4",
				  (unsigned long long)batch->shape[1]);
	rc = vt_tensor_init(out, NULL, VT_U8, 3,
			    (uint64_t[3]){ batch->shape[2], batch->shape[3],
					   batch->shape[1] }, err);
	if (!rc)
		rc = vt_tensor_set_dims(out, "H,W,C", 5, err);
	if (rc) {
		vt_tensor_release(out);
		return rc;
	}
	plane = batch->shape[1] * batch->shape[2] * batch->shape[3];
	vt_image_f32_to_u8(out->data, (const float *)batch->data + n * plane,
			   batch->shape[2], batch->shape[3], batch->shape[1],
			   mean, std);
	return 0;
}
