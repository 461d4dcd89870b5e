/* test_gan_data.c - training data: PIL's bilinear resize bit for bit
 * (fixtures from scripts/gen-gan-fixtures.py), the ToTensor + Normalize
 * values, every kind of dataset spec, bad files named, and the shuffled
 * minibatches. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "vt/gan.h"
#include "vt/image.h"
#include "vt/record.h"
#include "vt/tensorfile.h"

#include "helpers.h"

static void load_npy(const char *name, struct vt_record *r)
{
	struct vt_err err;

	vt_record_init(r);
	cr_assert_eq(vt_record_from_npy(t_data_path("gan", name), r, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(r->tensors[0].dtype, VT_U8);
}

/* each [h,w] plane of `in` resized to 32x32 equals `ref` exactly */
static void check_resize(const char *in_name, const char *ref_name)
{
	struct vt_record in, ref;
	struct vt_err err;
	uint8_t out[32 * 32];
	size_t h, w, n, diff = 0;

	load_npy(in_name, &in);
	load_npy(ref_name, &ref);
	n = in.tensors[0].shape[0];
	h = in.tensors[0].shape[1];
	w = in.tensors[0].shape[2];
	for (size_t i = 0; i < n; i++) {
		const uint8_t *src = (uint8_t *)in.tensors[0].data + i * h * w;
		const uint8_t *want = (uint8_t *)ref.tensors[0].data +
				      i * 32 * 32;

		cr_assert_eq(vt_gan_resize_u8(out, 32, 32, src, h, w, 1, &err),
			     0, "%s", err.msg);
		for (size_t j = 0; j < 32 * 32; j++)
			diff += out[j] != want[j];
	}
	cr_assert_eq(diff, 0, "%s: %zu pixels differ from PIL", in_name, diff);
	vt_record_release(&in);
	vt_record_release(&ref);
}

Test(gan_data, resize_equals_pil)
{
	check_resize("fmnist8.npy", "fmnist8-32.npy");    /* 28 -> 32 */
	check_resize("rand-50x37.npy", "rand-50x37-32.npy");  /* reduce */
	check_resize("rand-9x13.npy", "rand-9x13-32.npy");    /* enlarge */
}

Test(gan_data, resize_interleaved_channels)
{
	/* three channels at once give each plane's result */
	struct vt_record in;
	struct vt_err err;
	uint8_t rgb[37 * 50 * 3], out[32 * 32 * 3], plane[32 * 32];
	const uint8_t *src;

	load_npy("rand-50x37.npy", &in);
	src = in.tensors[0].data;
	for (size_t i = 0; i < 37 * 50; i++)
		for (size_t c = 0; c < 3; c++)
			rgb[i * 3 + c] = src[c * 37 * 50 + i];
	cr_assert_eq(vt_gan_resize_u8(out, 32, 32, rgb, 37, 50, 3, &err), 0);
	for (size_t c = 0; c < 3; c++) {
		cr_assert_eq(vt_gan_resize_u8(plane, 32, 32, src + c * 37 * 50,
					      37, 50, 1, &err), 0);
		for (size_t i = 0; i < 32 * 32; i++)
			cr_assert_eq(out[i * 3 + c], plane[i]);
	}
	vt_record_release(&in);
}

Test(gan_data, normalisation)
{
	cr_assert_eq(vt_gan_normalize_u8(0), -1.0f);
	cr_assert_eq(vt_gan_normalize_u8(255), 1.0f);
	for (int u = 0; u < 256; u++) {
		float x = (float)u / 255.0f;

		cr_assert_eq(vt_gan_normalize_u8((uint8_t)u), (x - 0.5f) / 0.5f);
	}
}

static void write_gz(const char *path, const unsigned char *buf, size_t n)
{
	gzFile g = gzopen(path, "wb");

	cr_assert_not_null(g);
	cr_assert_eq(gzwrite(g, buf, (unsigned)n), (int)n);
	cr_assert_eq(gzclose(g), Z_OK);
}

/* n images of 28x28 (pixel i*7+k) and n labels as gzip'd IDX in dir */
static void write_idx(const char *dir, const char *prefix, int n,
		      int n_labels)
{
	unsigned char *img = malloc(16 + (size_t)n * 784), lab[8 + 64];
	char path[512];

	memcpy(img, (unsigned char[]){ 0, 0, 8, 3, 0, 0, 0, (unsigned char)n,
				       0, 0, 0, 28, 0, 0, 0, 28 }, 16);
	for (int i = 0; i < n * 784; i++)
		img[16 + i] = (unsigned char)(i * 7 + i / 784);
	memcpy(lab, (unsigned char[]){ 0, 0, 8, 1, 0, 0, 0,
				       (unsigned char)n_labels }, 8);
	for (int i = 0; i < n_labels; i++)
		lab[8 + i] = (unsigned char)(9 - i);
	snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
	write_gz(path, img, 16 + (size_t)n * 784);
	snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte.gz", dir, prefix);
	write_gz(path, lab, 8 + (size_t)n_labels);
	free(img);
}

static char *tmpdir(void)
{
	char *d = strdup("/tmp/vt-data-XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void rm_rf(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(gan_data, fashion_mnist_layout_and_idx_files)
{
	char *dir = tmpdir(), path[512];
	struct vt_gan_data_opts o = { 0 };
	struct vt_gan_data d;
	struct vt_err err;
	uint8_t want[32 * 32], src[784];
	float batch[2 * 32 * 32];
	uint64_t idx[2] = { 4, 1 };

	write_idx(dir, "train", 5, 5);
	write_idx(dir, "t10k", 3, 3);
	o.fashion_dir = dir;
	cr_assert_eq(vt_gan_data_load(&d, "fashion-mnist", 32, 1, &o, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(d.n, 5);
	cr_assert_eq(d.images.dtype, VT_U8);
	cr_assert_eq(d.images.rank, 4);
	cr_assert_eq(d.images.shape[2], 32);
	cr_assert_str_eq(d.images.dims[1], "C");
	cr_assert_eq(((int64_t *)d.labels.data)[4], 5);
	for (int i = 0; i < 784; i++)
		src[i] = (uint8_t)((4 * 784 + i) * 7 + 4);
	cr_assert_eq(vt_gan_resize_u8(want, 32, 32, src, 28, 28, 1, &err), 0);
	cr_assert_eq(memcmp(want, (uint8_t *)d.images.data + 4 * 1024, 1024),
		     0);
	vt_gan_data_gather(&d, idx, 2, batch);
	cr_assert_eq(batch[5], vt_gan_normalize_u8(want[5]));
	cr_assert_eq(vt_gan_data_f32(&d, &err), 0);
	cr_assert_eq(d.images.dtype, VT_F32);
	cr_assert_eq(((float *)d.images.data)[4 * 1024 + 5], batch[5]);
	vt_gan_data_release(&d);
	/* the test set, the first 2 only, at 28: not resized */
	o.max_images = 2;
	cr_assert_eq(vt_gan_data_load(&d, "fashion-mnist:test", 28, 1, &o,
				      &err), 0, "%s", err.msg);
	cr_assert_eq(d.n, 2);
	cr_assert_eq(d.labels.shape[0], 2);
	cr_assert_eq(((uint8_t *)d.images.data)[1], 7);
	vt_gan_data_release(&d);
	/* an IDX path takes the labels beside it */
	snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte.gz", dir);
	cr_assert_eq(vt_gan_data_load(&d, path, 28, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(d.n, 3);
	cr_assert_not_null(d.labels.data);
	vt_gan_data_release(&d);
	/* labels that do not match */
	write_idx(dir, "train", 5, 4);
	o.max_images = 0;
	cr_assert_eq(vt_gan_data_load(&d, "fashion-mnist", 32, 1, &o, &err),
		     VT_EFORMAT);
	cr_assert(strstr(err.msg, "train-labels-idx1-ubyte.gz': 4 labels for "
			 "5 images"), "%s", err.msg);
	/* three channels asked of grey images */
	cr_assert_eq(vt_gan_data_load(&d, path, 28, 3, NULL, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "images of 1 channel, the config wants 3"),
		  "%s", err.msg);
	/* a corrupt file */
	snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", dir);
	{
		FILE *f = fopen(path, "wb");

		fputs("not gzip, not idx", f);
		fclose(f);
	}
	cr_assert_eq(vt_gan_data_load(&d, "fashion-mnist", 32, 1, &o, &err),
		     VT_EFORMAT);
	cr_assert(strstr(err.msg, "train-images-idx3-ubyte.gz'"), "%s",
		  err.msg);
	rm_rf(dir);
	free(dir);
}

Test(gan_data, mnist_and_unknown_specs)
{
	struct vt_gan_data_opts o = { 0 };
	struct vt_gan_data d;
	struct vt_err err;

	o.mnist_dir = "/nonexistent/mnist";
	cr_assert_eq(vt_gan_data_load(&d, "mnist", 28, 1, &o, &err), VT_EOPEN);
	cr_assert_str_eq(err.msg, "mnist (make it with scripts/fetch-mnist): "
			 "'/nonexistent/mnist/train-images-idx3-ubyte.gz': "
			 "cannot open: No such file or directory");
	cr_assert_eq(vt_gan_data_load(&d, "cifar10", 28, 1, &o, &err),
		     VT_EOPEN);
	cr_assert(strstr(err.msg, "'cifar10': no such dataset"), "%s", err.msg);
}

Test(gan_data, image_folders)
{
	char *dir = tmpdir(), sub[600], path[700];
	struct vt_gan_data d;
	struct vt_tensor img;
	struct vt_err err;
	uint64_t shape[3] = { 4, 6, 3 };
	uint8_t *p;

	cr_assert_eq(vt_tensor_init(&img, NULL, VT_U8, 3, shape, &err), 0);
	p = img.data;
	for (int i = 0; i < 4 * 6 * 3; i++)
		p[i] = (uint8_t)(i * 11);
	snprintf(path, sizeof path, "%s/b.png", dir);
	cr_assert_eq(vt_image_write(path, &img, 0, &err), 0, "%s", err.msg);
	snprintf(path, sizeof path, "%s/a.png", dir);
	p[0] = 200;
	p[1] = 100;
	p[2] = 50;
	cr_assert_eq(vt_image_write(path, &img, 0, &err), 0);
	snprintf(path, sizeof path, "%s/notes.txt", dir);
	fclose(fopen(path, "w"));
	/* flat: sorted by name, grey by PIL's L formula, no labels */
	cr_assert_eq(vt_gan_data_load(&d, dir, 4, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(d.n, 2);
	cr_assert_null(d.labels.data);
	/* a.png's first pixel: (200*19595 + 100*38470 + 50*7471 + 32768)
	 * >> 16 = 124, then resized 6x4 -> 4x4 */
	{
		uint8_t grey[24], want[16];

		for (int i = 0; i < 24; i++)
			grey[i] = (uint8_t)((p[i * 3] * 19595u +
					     p[i * 3 + 1] * 38470u +
					     p[i * 3 + 2] * 7471u + 0x8000u) >>
					    16);
		cr_assert_eq(grey[0], 124);   /* PIL: 124 */
		cr_assert_eq(vt_gan_resize_u8(want, 4, 4, grey, 4, 6, 1, &err),
			     0);
		cr_assert_eq(memcmp(d.images.data, want, 16), 0);
	}
	vt_gan_data_release(&d);
	/* RGB kept */
	cr_assert_eq(vt_gan_data_load(&d, dir, 8, 3, NULL, &err), 0);
	cr_assert_eq(d.c, 3);
	vt_gan_data_release(&d);
	/* classes in subdirectories: labels, top-level files ignored */
	snprintf(sub, sizeof sub, "%s/cat", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof path, "%s/x.png", sub);
	cr_assert_eq(vt_image_write(path, &img, 0, &err), 0);
	snprintf(sub, sizeof sub, "%s/dog", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof path, "%s/y.png", sub);
	cr_assert_eq(vt_image_write(path, &img, 0, &err), 0);
	snprintf(path, sizeof path, "%s/z.png", sub);
	cr_assert_eq(vt_image_write(path, &img, 0, &err), 0);
	cr_assert_eq(vt_gan_data_load(&d, dir, 4, 1, NULL, &err), 0);
	cr_assert_eq(d.n, 3);
	cr_assert_eq(((int64_t *)d.labels.data)[0], 0);
	cr_assert_eq(((int64_t *)d.labels.data)[2], 1);
	vt_gan_data_release(&d);
	/* a broken image names its file */
	snprintf(path, sizeof path, "%s/w.png", sub);
	{
		FILE *f = fopen(path, "wb");

		fputs("\x89PNG\r\n\x1a\n broken", f);
		fclose(f);
	}
	cr_assert_neq(vt_gan_data_load(&d, dir, 4, 1, NULL, &err), 0);
	cr_assert(strstr(err.msg, "dog/w.png'"), "%s", err.msg);
	vt_tensor_release(&img);
	rm_rf(dir);
	/* an empty folder */
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(vt_gan_data_load(&d, dir, 4, 1, NULL, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "no image files"), "%s", err.msg);
	rm_rf(dir);
	free(dir);
}

Test(gan_data, tensor_records)
{
	char *dir = tmpdir(), path[600];
	struct vt_record r;
	struct vt_tensor t;
	struct vt_gan_data d;
	struct vt_err err;
	uint64_t s3[3] = { 2, 4, 4 }, s4[4] = { 2, 1, 4, 4 }, sl[1] = { 2 };

	snprintf(path, sizeof path, "%s/x.safetensors", dir);
	vt_record_init(&r);
	cr_assert_eq(vt_tensor_init(&t, "images", VT_U8, 3, s3, &err), 0);
	((uint8_t *)t.data)[0] = 255;
	cr_assert_eq(vt_record_add(&r, &t, &err), 0);
	cr_assert_eq(vt_tensor_init(&t, "labels", VT_I32, 1, sl, &err), 0);
	((int32_t *)t.data)[1] = 7;
	cr_assert_eq(vt_record_add(&r, &t, &err), 0);
	cr_assert_eq(vt_record_save(path, &r, &err), 0);
	vt_record_release(&r);
	cr_assert_eq(vt_gan_data_load(&d, path, 4, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(d.n, 2);
	cr_assert_eq(((uint8_t *)d.images.data)[0], 255);
	cr_assert_eq(((int64_t *)d.labels.data)[1], 7);
	vt_gan_data_release(&d);
	/* F32 in [-1, 1] taken as it is; outside refused */
	vt_record_init(&r);
	cr_assert_eq(vt_tensor_init(&t, "images", VT_F32, 4, s4, &err), 0);
	((float *)t.data)[3] = -1;
	((float *)t.data)[5] = 1.5f;
	cr_assert_eq(vt_record_add(&r, &t, &err), 0);
	cr_assert_eq(vt_record_save(path, &r, &err), 0);
	cr_assert_eq(vt_gan_data_load(&d, path, 4, 1, NULL, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "x.safetensors': F32 value 1.5 at 5 is "
			 "outside [-1, 1]"), "%s", err.msg);
	((float *)r.tensors[0].data)[5] = 0.25f;
	cr_assert_eq(vt_record_save(path, &r, &err), 0);
	cr_assert_eq(vt_gan_data_load(&d, path, 4, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(d.images.dtype, VT_F32);
	cr_assert_eq(((float *)d.images.data)[5], 0.25f);
	vt_gan_data_release(&d);
	cr_assert_eq(vt_gan_data_load(&d, path, 8, 1, NULL, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "are not resized"), "%s", err.msg);
	vt_record_release(&r);
	/* another dtype */
	vt_record_init(&r);
	cr_assert_eq(vt_tensor_init(&t, "images", VT_I16, 3, s3, &err), 0);
	cr_assert_eq(vt_record_add(&r, &t, &err), 0);
	cr_assert_eq(vt_record_save(path, &r, &err), 0);
	vt_record_release(&r);
	cr_assert_eq(vt_gan_data_load(&d, path, 4, 1, NULL, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "x.safetensors': 'images' is I16"), "%s",
		  err.msg);
	/* not a record at all */
	{
		FILE *f = fopen(path, "wb");

		fputs("hello", f);
		fclose(f);
	}
	cr_assert_eq(vt_gan_data_load(&d, path, 4, 1, NULL, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "x.safetensors'"), "%s", err.msg);
	rm_rf(dir);
	free(dir);
}

Test(gan_data, batches_cover_each_epoch_once)
{
	struct vt_gan_batcher b, c;
	struct vt_rng r1, r2;
	struct vt_err err;
	const uint64_t *idx, *idx2;
	uint64_t first[10];
	bool differs = false;

	vt_rng_seed(&r1, 42, 0);
	vt_rng_seed(&r2, 42, 0);
	cr_assert_eq(vt_gan_batcher_init(&b, 10, 4, &err), 0);
	cr_assert_eq(vt_gan_batcher_init(&c, 10, 4, &err), 0);
	cr_assert_eq(vt_gan_batcher_per_epoch(&b), 3);
	for (int e = 0; e < 3; e++) {
		int seen[10] = { 0 };
		static const size_t sizes[3] = { 4, 4, 2 };

		for (int k = 0; k < 3; k++) {
			size_t n = vt_gan_batcher_next(&b, &r1, &idx);

			cr_assert_eq(vt_gan_batcher_next(&c, &r2, &idx2), n);
			cr_assert_eq(memcmp(idx, idx2, n * sizeof *idx), 0);
			cr_assert_eq(n, sizes[k]);
			cr_assert_eq(b.epoch, (uint64_t)e);
			for (size_t i = 0; i < n; i++)
				seen[idx[i]]++;
		}
		for (int i = 0; i < 10; i++)
			cr_assert_eq(seen[i], 1);
		if (e == 0)
			memcpy(first, b.perm, sizeof first);
		else
			differs |= memcmp(first, b.perm, sizeof first) != 0;
	}
	cr_assert(differs, "every epoch in the same order");
	vt_gan_batcher_release(&b);
	vt_gan_batcher_release(&c);
	cr_assert_eq(vt_gan_batcher_init(&b, 0, 4, &err), VT_EINVAL);
}
