/* test_gan_config.c - GAN configs: the shipped files equal the built-in
 * defaults, text round trips, --set overrides, and each malformed form is
 * refused with FILE:LINE and the problem. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/gan.h"

static int parse(struct vt_gan_config *c, const char *text, struct vt_err *err)
{
	return vt_gan_config_parse(c, text, strlen(text), "t.cfg", err);
}

Test(gan_config, shipped_files_are_the_defaults)
{
	for (int f = 0; f < VT_GAN_FAMILY_COUNT; f++) {
		struct vt_gan_config c, d;
		struct vt_err err;
		char path[256];

		snprintf(path, sizeof path, "../configs/gan/%s.cfg",
			 vt_gan_family_name((enum vt_gan_family)f));
		cr_assert_eq(vt_gan_config_load(&c, path, &err), 0, "%s",
			     err.msg);
		vt_gan_config_defaults(&d, (enum vt_gan_family)f);
		cr_assert(vt_gan_config_equal(&c, &d), "%s differs", path);
		cr_assert_eq(vt_gan_config_check(&c, path, &err), 0, "%s",
			     err.msg);
	}
}

Test(gan_config, collection_hyper_parameters)
{
	struct vt_gan_config c;

	vt_gan_config_defaults(&c, VT_GAN_WGAN);
	cr_assert_eq(c.optimizer, VT_GAN_OPTIM_RMSPROP);
	cr_assert_eq(c.lr, 5e-5);
	cr_assert_eq(c.n_critic, 5);
	cr_assert_eq(c.clip_value, 0.01);
	cr_assert_eq(c.img_size, 28);
	cr_assert_not(c.d_sigmoid);
	vt_gan_config_defaults(&c, VT_GAN_DCGAN);
	cr_assert_eq(c.img_size, 32);
	cr_assert_eq(c.lr, 2e-4);
	cr_assert_eq(c.b1, 0.5);
	cr_assert_eq(c.b2, 0.999);
	cr_assert_eq(c.bn_eps, 0.8);
	cr_assert_eq(c.init, VT_GAN_INIT_NORMAL);
	cr_assert(c.g_input_bn);
	vt_gan_config_defaults(&c, VT_GAN_LSGAN);
	cr_assert_not(c.g_input_bn);
	cr_assert_eq(c.loss, VT_GAN_LOSS_MSE);
	cr_assert_eq(c.sample_interval, 1000);
	vt_gan_config_defaults(&c, VT_GAN_WGAN_GP);
	cr_assert_eq(c.lambda_gp, 10);
	cr_assert_eq(c.batch_size, 64);
	cr_assert_eq(c.latent_dim, 100);
	cr_assert_eq(c.init, VT_GAN_INIT_DEFAULT);
}

Test(gan_config, format_round_trips)
{
	struct vt_gan_config c, d;
	struct vt_err err;
	char *text, *again;

	vt_gan_config_defaults(&c, VT_GAN_WGAN_GP);
	c.lr = 0.1 + 0.2;      /* needs 17 digits */
	c.seed = UINT64_MAX;
	c.iters = 12345;
	strcpy(c.dataset, " odd # name \"q\" \\ ");
	cr_assert_eq(vt_gan_config_format(&c, &text, &err), 0);
	cr_assert_eq(parse(&d, text, &err), 0, "%s\n%s", err.msg, text);
	cr_assert(vt_gan_config_equal(&c, &d), "%s", text);
	cr_assert_str_eq(d.dataset, c.dataset);
	cr_assert_eq(vt_gan_config_format(&d, &again, &err), 0);
	cr_assert_str_eq(text, again);
	cr_assert(strncmp(text, "family = wgan_gp\n", 17) == 0, "%s", text);
	cr_assert_not_null(strstr(text, "lr = 0.30000000000000004\n"));
	cr_assert_not_null(strstr(text, "b2 = 0.999\n"));
	free(text);
	free(again);
}

Test(gan_config, overrides_and_comments)
{
	struct vt_gan_config c;
	struct vt_err err;

	cr_assert_eq(parse(&c, "# top\n\nfamily = dcgan  # comment\n"
			 "[ optim ]\r\nlr=1e-3\n  b1 = 0.9#no comment?\n", &err),
		     VT_ECONFIG);
	cr_assert_str_eq(err.msg, "t.cfg:6: b1: '0.9#no comment?' is not a number");
	cr_assert_eq(parse(&c, "# top\n\nfamily = dcgan  # comment\n"
			 "[ optim ]\r\nlr=1e-3\n  b1 = 0.9 # comment\n"
			 "[data]\ndataset = my#dir\n", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(c.family, VT_GAN_DCGAN);
	cr_assert_eq(c.lr, 1e-3);
	cr_assert_eq(c.b1, 0.9);
	cr_assert_eq(c.img_size, 32);
	cr_assert_str_eq(c.dataset, "my#dir");
	cr_assert_eq(vt_gan_config_set(&c, "optim.lr=0.5", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(c.lr, 0.5);
	cr_assert_eq(vt_gan_config_set(&c, "batch_size = 16", &err), 0);
	cr_assert_eq(c.batch_size, 16);
	cr_assert_eq(vt_gan_config_set(&c, "d_sigmoid=false", &err), 0);
	cr_assert_not(c.d_sigmoid);
	cr_assert_eq(vt_gan_config_set(&c, "optimizer=sgd", &err), 0);
	cr_assert_eq(c.optimizer, VT_GAN_OPTIM_SGD);
}

struct bad {
	const char *text, *msg;
};

Test(gan_config, bad_files_name_the_line)
{
	static const struct bad cases[] = {
		{ "family = gan\n[optim]\nlrr = 1\n",
		  "t.cfg:3: unknown key 'lrr' in [optim]" },
		{ "family = gan\n[optim]\nlr = 1\n\nlr = 2\n",
		  "t.cfg:5: duplicate key 'lr' (first on line 3)" },
		{ "family = gan\n[optim]\nlr = fast\n",
		  "t.cfg:3: lr: 'fast' is not a number" },
		{ "family = gan\n[optim]\nlr = 0\n",
		  "t.cfg:3: lr: 0 is out of range (0, 10]" },
		{ "family = gan\n[optim]\nlr = nan\n",
		  "t.cfg:3: lr: 'nan' is not a number" },
		{ "family = gan\n[train]\nlr = 1\n",
		  "t.cfg:3: 'lr' belongs in [optim], not [train]" },
		{ "family = gan\nlr = 1\n",
		  "t.cfg:2: 'lr' belongs in [optim], not the top" },
		{ "family = gan\n[optimizer]\n",
		  "t.cfg:2: unknown section '[optimizer]' (known: data, model, "
		  "loss, optim, train)" },
		{ "family = gan\n[optim\n", "t.cfg:2: missing ']'" },
		{ "family = gan\n[train]\nbatch_size = -1\n",
		  "t.cfg:3: batch_size: '-1' is not a non-negative integer" },
		{ "family = gan\n[train]\nbatch_size = 0\n",
		  "t.cfg:3: batch_size: 0 is out of range 1..65536" },
		{ "family = gan\n[train]\nbatch_size = 64x\n",
		  "t.cfg:3: batch_size: '64x' is not a non-negative integer" },
		{ "family = gan\n[train]\nseed = 99999999999999999999\n",
		  "t.cfg:3: seed: '99999999999999999999' is not a non-negative "
		  "integer" },
		{ "family = gan\n[model]\nd_sigmoid = yes\n",
		  "t.cfg:3: d_sigmoid: 'yes' is not true or false" },
		{ "family = gan\n[model]\ninit = he\n",
		  "t.cfg:3: init: 'he' is not one of default, normal or xavier" },
		{ "family = gan\n[model]\njunk\n",
		  "t.cfg:3: expected 'key = value', got 'junk'" },
		{ "family = gan\n[data]\ndataset = \"abc\n",
		  "t.cfg:3: dataset: unterminated quoted value" },
		{ "family = gan\n[data]\ndataset =\n",
		  "t.cfg:3: dataset: empty" },
		{ "[data]\nimg_size = 32\n",
		  "t.cfg:2: the first setting must be 'family = NAME'" },
		{ "family = biggan\n",
		  "t.cfg:1: unknown family 'biggan' (known: gan, dcgan, lsgan, "
		  "wgan or wgan_gp)" },
		{ "# nothing\n", "t.cfg: no 'family = NAME' setting" },
		{ "family = gan\nfamily = gan\n",
		  "t.cfg:2: duplicate key 'family' (first on line 1)" },
		{ "family = gan\n[data]\nfamily = gan\n",
		  "t.cfg:3: 'family' must come before any section" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct vt_gan_config c;
		struct vt_err err;

		cr_assert_eq(parse(&c, cases[i].text, &err), VT_ECONFIG,
			     "case %zu accepted", i);
		cr_assert_str_eq(err.msg, cases[i].msg, "case %zu", i);
	}
}

Test(gan_config, bad_overrides_name_the_option)
{
	static const struct bad cases[] = {
		{ "lr", "--set 'lr': expected key=value" },
		{ "lrr=1", "--set 'lrr=1': unknown key 'lrr'" },
		{ "train.lr=1", "--set 'train.lr=1': 'lr' belongs in [optim]" },
		{ "foo.lr=1", "--set 'foo.lr=1': unknown section 'foo'" },
		{ "lr=x", "--set 'lr=x': lr: 'x' is not a number" },
		{ "family=dcgan", "--set 'family=dcgan': the family cannot be "
		  "changed (choose the model instead)" },
		{ "loss=hinge", "--set 'loss=hinge': loss: 'hinge' is not one of "
		  "bce, mse or wasserstein" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct vt_gan_config c;
		struct vt_err err;

		vt_gan_config_defaults(&c, VT_GAN_GAN);
		cr_assert_eq(vt_gan_config_set(&c, cases[i].text, &err),
			     VT_ECONFIG, "case %zu accepted", i);
		cr_assert_str_eq(err.msg, cases[i].msg, "case %zu", i);
	}
}

Test(gan_config, checks_across_keys)
{
	struct vt_gan_config c;
	struct vt_err err;

	vt_gan_config_defaults(&c, VT_GAN_DCGAN);
	c.img_size = 28;
	cr_assert_eq(vt_gan_config_check(&c, "x", &err), VT_ECONFIG);
	cr_assert_str_eq(err.msg, "x: img_size 28: the dcgan discriminator "
			 "needs a multiple of 16 (four stride-2 convolutions)");
	vt_gan_config_defaults(&c, VT_GAN_GAN);
	c.d_sigmoid = false;
	cr_assert_eq(vt_gan_config_check(&c, "x", &err), VT_ECONFIG);
	cr_assert_str_eq(err.msg, "x: loss bce needs d_sigmoid = true");
	vt_gan_config_defaults(&c, VT_GAN_WGAN);
	c.d_sigmoid = true;
	cr_assert_eq(vt_gan_config_check(&c, "x", &err), VT_ECONFIG);
}

Test(gan_config, missing_file)
{
	struct vt_gan_config c;
	struct vt_err err;

	cr_assert_eq(vt_gan_config_load(&c, "/nonexistent/x.cfg", &err),
		     VT_EOPEN);
	cr_assert_str_eq(err.msg, "'/nonexistent/x.cfg': cannot open: No "
			 "such file or directory");
}
