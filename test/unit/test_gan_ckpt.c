/* test_gan_ckpt.c - checkpoints: round trip of buffers, metadata and
 * generator states; family and shape mismatches listed; a write failure
 * (file size limit, as a full disk) leaves the previous checkpoint intact. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "vt/gan.h"
#include "vt/record.h"

#include "helpers.h"

struct state {
	float w[4 * 3], b[4], m[4 * 3], big[64 * 1024];
	uint8_t rng[VT_GAN_RNG_BYTES];
	uint64_t perm[5];
};

static size_t entries(struct state *s, struct vt_gan_entry *e, bool big)
{
	size_t n = 0;

	memset(e, 0, 6 * sizeof *e);
	e[n] = (struct vt_gan_entry){ "G.model.0.weight", VT_F32, 2, { 4, 3 },
				      s->w };
	n++;
	e[n] = (struct vt_gan_entry){ "G.model.0.bias", VT_F32, 1, { 4 },
				      s->b };
	n++;
	e[n] = (struct vt_gan_entry){ "opt.G.model.0.weight.exp_avg", VT_F32,
				      2, { 4, 3 }, s->m };
	n++;
	e[n] = (struct vt_gan_entry){ "rng.noise", VT_U8, 1,
				      { VT_GAN_RNG_BYTES }, s->rng };
	n++;
	e[n] = (struct vt_gan_entry){ "data.perm", VT_U64, 1, { 5 }, s->perm };
	n++;
	if (big) {
		e[n] = (struct vt_gan_entry){ "D.big", VT_F32, 1, { 64 * 1024 },
					      s->big };
		n++;
	}
	return n;
}

static void fill(struct state *s, float base)
{
	struct vt_rng r;

	for (int i = 0; i < 12; i++) {
		s->w[i] = base + (float)i * 0.25f;
		s->m[i] = -base - (float)i;
	}
	for (int i = 0; i < 4; i++)
		s->b[i] = base * 2 + (float)i;
	for (int i = 0; i < 64 * 1024; i++)
		s->big[i] = (float)i;
	vt_rng_seed(&r, 7, 0);
	(void)vt_rng_normal(&r);     /* leaves a spare deviate */
	vt_gan_rng_pack(&r, s->rng);
	for (int i = 0; i < 5; i++)
		s->perm[i] = UINT64_MAX - (uint64_t)i;
}

static char *tmpdir(void)
{
	char *d = strdup("/tmp/vt-ckpt-XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	cr_assert_not_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

Test(gan_ckpt, round_trip)
{
	static struct state s, t;
	struct vt_gan_entry e[6], f[6];
	struct vt_gan_ckpt_info info = { VT_GAN_DCGAN, 1234, 3,
					 "family = dcgan\n[train]\nseed = 5\n" };
	struct vt_gan_ckpt_info got;
	struct vt_err err;
	char *dir = tmpdir(), path[256];
	size_t n = entries(&s, e, false);
	struct vt_rng r1, r2;

	fill(&s, 1.5f);
	memset(&t, 0, sizeof t);
	entries(&t, f, false);
	snprintf(path, sizeof path, "%s/checkpoint.safetensors", dir);
	cr_assert_eq(vt_gan_ckpt_save(path, &info, e, n, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(vt_gan_ckpt_load(path, VT_GAN_DCGAN, f, n, 0, &got, NULL,
				      &err), 0, "%s", err.msg);
	cr_assert_eq(memcmp(s.w, t.w, sizeof s.w), 0);
	cr_assert_eq(memcmp(s.b, t.b, sizeof s.b), 0);
	cr_assert_eq(memcmp(s.m, t.m, sizeof s.m), 0);
	cr_assert_eq(memcmp(s.perm, t.perm, sizeof s.perm), 0);
	cr_assert_eq(got.family, VT_GAN_DCGAN);
	cr_assert_eq(got.step, 1234);
	cr_assert_eq(got.epoch, 3);
	cr_assert_str_eq(got.config, info.config);
	vt_gan_ckpt_info_release(&got);
	/* the generator goes on where it was, spare deviate included */
	vt_rng_seed(&r1, 7, 0);
	(void)vt_rng_normal(&r1);
	vt_gan_rng_unpack(&r2, t.rng);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(vt_rng_normal(&r1), vt_rng_normal(&r2));
	cr_assert_eq(vt_rng_u64(&r1), vt_rng_u64(&r2));
	/* metadata alone */
	cr_assert_eq(vt_gan_ckpt_info_read(path, &got, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(got.step, 1234);
	vt_gan_ckpt_info_release(&got);
	/* an ordinary record that Python reads: names and dtypes kept */
	{
		struct vt_record r;

		vt_record_init(&r);
		cr_assert_eq(vt_record_load(path, &r, NULL, &err), 0);
		cr_assert_not_null(vt_record_find(&r, "G.model.0.weight"));
		cr_assert_eq(vt_record_find(&r, "rng.noise")->dtype, VT_U8);
		cr_assert_str_eq(vt_record_meta_get(&r, "vt.gan.family"),
				 "dcgan");
		vt_record_release(&r);
	}
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(gan_ckpt, family_and_shape_mismatches)
{
	static struct state s, t;
	struct vt_gan_entry e[6], f[6];
	struct vt_gan_ckpt_info info = { VT_GAN_WGAN, 1, 0, "family = wgan\n" };
	struct vt_gan_mismatch mm;
	struct vt_err err;
	char *dir = tmpdir(), path[256];
	size_t n = entries(&s, e, false);

	fill(&s, 1);
	snprintf(path, sizeof path, "%s/c.safetensors", dir);
	cr_assert_eq(vt_gan_ckpt_save(path, &info, e, n, &err), 0, "%s",
		     err.msg);
	entries(&t, f, false);
	cr_assert_eq(vt_gan_ckpt_load(path, VT_GAN_GAN, f, n, 0, NULL, NULL,
				      &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "a checkpoint of family 'wgan', not 'gan'"),
		  "%s", err.msg);
	/* a different shape, a different dtype, a missing and an extra one */
	f[0].shape[0] = 5;
	f[1].dtype = VT_F64;
	f[3].name = "rng.other";
	memset(&t, 0x55, sizeof t);
	cr_assert_eq(vt_gan_ckpt_load(path, VT_GAN_WGAN, f, n, 0, NULL, &mm,
				      &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "c.safetensors': 4 mismatches with the wgan "
			 "model: G.model.0.weight: F32 [4,3] in the file, F32 "
			 "[5,3] expected; G.model.0.bias: F32 [4] in the "
			 "file, F64 [4] expected; rng.other: missing; "
			 "rng.noise: not expected"), "%s", err.msg);
	cr_assert_eq(mm.n, 4);
	cr_assert_str_eq(mm.lines[0], "G.model.0.weight: F32 [4,3] in the "
			 "file, F32 [5,3] expected");
	cr_assert_str_eq(mm.lines[1], "G.model.0.bias: F32 [4] in the file, "
			 "F64 [4] expected");
	cr_assert_str_eq(mm.lines[2], "rng.other: missing");
	cr_assert_str_eq(mm.lines[3], "rng.noise: not expected");
	vt_gan_mismatch_release(&mm);
	/* nothing was written into the buffers */
	for (size_t i = 0; i < sizeof t.m / sizeof *t.m; i++)
		cr_assert_eq(((uint32_t *)t.m)[i], 0x55555555u);
	/* partial: the file's other tensors are fine, a wrong shape is not */
	cr_assert_eq(vt_gan_ckpt_load(path, VT_GAN_WGAN, f, 1,
				      VT_GAN_CKPT_PARTIAL, NULL, &mm, &err),
		     VT_EFORMAT);
	cr_assert_eq(mm.n, 1);
	vt_gan_mismatch_release(&mm);
	cr_assert_eq(vt_gan_ckpt_load(path, VT_GAN_WGAN, f + 2, 1,
				      VT_GAN_CKPT_PARTIAL, NULL, &mm, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(mm.n, 0);
	cr_assert_eq(memcmp(t.m, s.m, sizeof s.m), 0);
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(gan_ckpt, many_mismatches_are_counted)
{
	static float buf[1];
	struct vt_gan_entry e[1] = { { "x", VT_F32, 1, { 1 }, buf } };
	struct vt_gan_entry f[80];
	char names[80][48];
	struct vt_gan_ckpt_info info = { VT_GAN_GAN, 0, 0, "family = gan\n" };
	struct vt_gan_mismatch mm;
	struct vt_err err;
	char *dir = tmpdir(), path[256];

	snprintf(path, sizeof path, "%s/c.safetensors", dir);
	cr_assert_eq(vt_gan_ckpt_save(path, &info, e, 1, &err), 0, "%s",
		     err.msg);
	for (int i = 0; i < 80; i++) {
		snprintf(names[i], sizeof names[i], "G.model.%d.weight", i);
		f[i] = (struct vt_gan_entry){ names[i], VT_F32, 1, { 1 }, buf };
	}
	cr_assert_eq(vt_gan_ckpt_load(path, VT_GAN_GAN, f, 80, 0, NULL, &mm,
				      &err), VT_EFORMAT);
	cr_assert_eq(mm.n, 81);
	cr_assert(strstr(err.msg, "81 mismatches with the gan model: "
			 "G.model.0.weight: missing; G.model.1.weight: "
			 "missing;"), "%s", err.msg);
	cr_assert(strstr(err.msg, " more"), "%s", err.msg);
	cr_assert_lt(strlen(err.msg), VT_ERR_MSG_MAX - 1);
	vt_gan_mismatch_release(&mm);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* A write that fails half way (here the file size limit, which fails
 * write(2) with EFBIG as a full disk fails it with ENOSPC) reports an I/O
 * error, removes its temporary file and leaves the previous checkpoint. */
Test(gan_ckpt, failed_write_keeps_the_previous_checkpoint)
{
	static struct state s;
	struct vt_gan_entry e[6];
	struct vt_gan_ckpt_info info = { VT_GAN_GAN, 10, 1, "family = gan\n" };
	struct vt_err err;
	struct rlimit old, lim;
	char *dir = tmpdir(), path[256];
	unsigned char *before, *after;
	size_t n_before, n_after, n;

	fill(&s, 2);
	snprintf(path, sizeof path, "%s/checkpoint.safetensors", dir);
	n = entries(&s, e, false);
	cr_assert_eq(vt_gan_ckpt_save(path, &info, e, n, &err), 0, "%s",
		     err.msg);
	before = t_slurp(path, &n_before);
	/* the next one is 256 KiB larger: over a 64 KiB limit */
	n = entries(&s, e, true);
	info.step = 20;
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 64 * 1024;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	cr_assert_eq(vt_gan_ckpt_save(path, &info, e, n, &err), VT_EIO);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	cr_assert(strstr(err.msg, "checkpoint.safetensors': write error"),
		  "%s", err.msg);
	after = t_slurp(path, &n_after);
	cr_assert_eq(n_after, n_before);
	cr_assert_eq(memcmp(before, after, n_before), 0);
	cr_assert_eq(count_files(dir), 1, "temporary file left behind");
	/* a directory that does not exist */
	cr_assert_eq(vt_gan_ckpt_save("/nonexistent/c.safetensors", &info, e,
				      n, &err), VT_ECREATE);
	free(before);
	free(after);
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(gan_ckpt, not_a_checkpoint)
{
	struct vt_record r;
	struct vt_gan_ckpt_info info;
	struct vt_err err;
	char *dir = tmpdir(), path[256];

	snprintf(path, sizeof path, "%s/plain.safetensors", dir);
	vt_record_init(&r);
	cr_assert_eq(vt_record_save(path, &r, &err), 0);
	cr_assert_eq(vt_gan_ckpt_info_read(path, &info, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "plain.safetensors': not a gan-train "
			 "checkpoint (no 'vt.gan.family' metadata)"), "%s",
		  err.msg);
	cr_assert_eq(vt_record_meta_set(&r, "vt.gan.family", "biggan", &err),
		     0);
	cr_assert_eq(vt_record_meta_set(&r, "vt.gan.config", "", &err), 0);
	cr_assert_eq(vt_record_meta_set(&r, "vt.gan.step", "1", &err), 0);
	cr_assert_eq(vt_record_meta_set(&r, "vt.gan.epoch", "x", &err), 0);
	cr_assert_eq(vt_record_save(path, &r, &err), 0);
	cr_assert_eq(vt_gan_ckpt_info_read(path, &info, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "unknown family 'biggan'"), "%s", err.msg);
	vt_record_release(&r);
	unlink(path);
	rmdir(dir);
	free(dir);
}
