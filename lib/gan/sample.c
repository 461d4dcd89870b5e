/* sample.c - images from a trained generator (gan-sample). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/gan_train.h"
#include "vt/image.h"
#include "vt/outfile.h"
#include "vt/record.h"
#include "vt/size.h"

/* the latent vectors of gan-sample: a stream of their own */
#define STREAM_GAN_SAMPLE 100

int vt_gan_sample(struct vt_gan_trainer *t, size_t n, const float *given,
		  uint64_t seed, bool train_bn, float *out, struct vt_err *err)
{
	size_t latent = t->cfg.latent_dim;
	size_t per = (size_t)t->cfg.channels * t->cfg.img_size *
		     t->cfg.img_size;
	/* eval mode does not depend on the batch; train mode takes the
	 * statistics of all n images as one batch, as G(z) would */
	size_t chunk = train_bn ? n : 256;
	struct vt_rng rng;
	float *z;
	int rc = 0;

	z = vt_malloc_array(chunk * latent, sizeof *z);
	if (!z)
		return vt_err_set(err, VT_ENOMEM,
				  "out of memory for %zu latent vectors",
				  chunk);
	vt_rng_seed(&rng, seed, STREAM_GAN_SAMPLE);
	for (size_t i = 0; i < n && !rc; i += chunk) {
		size_t m = n - i < chunk ? n - i : chunk;

		for (size_t k = 0; k < m * latent; k++)
			z[k] = given ? given[i * latent + k] :
				       (float)vt_rng_normal(&rng);
		rc = vt_gan_generate(t, z, m, train_bn, out + i * per, err);
	}
	free(z);
	return rc;
}

static uint8_t to_u8(float x)
{
	/* [-1, 1] to 0..255 as save_image(x * 0.5 + 0.5) rounds */
	float v = (x * 0.5f + 0.5f) * 255.0f + 0.5f;

	if (!(v > 0))
		return 0;
	return v >= 255 ? 255 : (uint8_t)v;
}

int vt_gan_sample_pngs(const char *dir, const float *x, size_t n, size_t c,
		       size_t h, size_t w, struct vt_err *err)
{
	uint64_t shape[3] = { h, w, c };
	struct vt_tensor img;
	size_t len = strlen(dir) + 32;
	char *path = malloc(len);
	uint8_t *p;
	int rc;

	if (!path)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	rc = vt_tensor_init(&img, NULL, VT_U8, 3, shape, err);
	for (size_t i = 0; i < n && !rc; i++) {
		const float *src = x + i * c * h * w;

		p = img.data;
		for (size_t y = 0; y < h; y++)
			for (size_t xx = 0; xx < w; xx++)
				for (size_t k = 0; k < c; k++)
					*p++ = to_u8(src[(k * h + y) * w + xx]);
		snprintf(path, len, "%s/%06zu.png", dir, i);
		rc = vt_mkdirs_for(path, err);
		if (!rc)
			rc = vt_image_write_flags(path, &img, 0,
						  VT_OUTFILE_NOSYNC, err);
	}
	vt_tensor_release(&img);
	free(path);
	return rc;
}

int vt_gan_sample_record(const char *path, const struct vt_gan_trainer *t,
			 const float *x, size_t n, struct vt_err *err)
{
	uint64_t shape[4] = { n, t->cfg.channels, t->cfg.img_size,
			      t->cfg.img_size };
	struct vt_record r;
	struct vt_tensor img;
	char step[32];
	int rc;

	vt_record_init(&r);
	snprintf(step, sizeof step, "%llu", (unsigned long long)t->step);
	rc = vt_tensor_init_view(&img, "images", VT_F32, 4, shape, (void *)x,
				 err);
	if (!rc)
		rc = vt_tensor_set_dims(&img, "N,C,H,W", 7, err);
	if (!rc)
		rc = vt_record_add(&r, &img, err);
	if (!rc)
		rc = vt_record_meta_set(&r, "vt.gan.family",
					vt_gan_family_name(t->cfg.family),
					err);
	if (!rc)
		rc = vt_record_meta_set(&r, "vt.gan.step", step, err);
	if (!rc) {
		if (!strcmp(path, "-"))
			rc = vt_record_write(stdout, "-", &r, err);
		else
			rc = vt_record_save(path, &r, err);
	}
	vt_tensor_release(&img);
	vt_record_release(&r);
	return rc;
}
