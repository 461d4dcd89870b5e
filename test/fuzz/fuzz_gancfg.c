/* fuzz_gancfg.c - libFuzzer target for GAN training configs.
 *
 * Any input is either refused with a one-line "t.cfg:..." message or parsed
 * into a config whose canonical text parses back to the same settings and
 * the same text; the same bytes as one --set argument never crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt/gan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_gan_config c, d;
	struct vt_err err;
	char *text, *again, *arg;

	if (vt_gan_config_parse(&c, (const char *)data, size, "t.cfg", &err)) {
		if (!err.msg[0] || strchr(err.msg, '\n') ||
		    strncmp(err.msg, "t.cfg", 5) != 0 || err.code != VT_ECONFIG)
			abort();
	} else {
		(void)vt_gan_config_check(&c, "t.cfg", &err);
		if (vt_gan_config_format(&c, &text, &err))
			abort();
		if (vt_gan_config_parse(&d, text, strlen(text), "x", &err) ||
		    !vt_gan_config_equal(&c, &d))
			abort();
		if (vt_gan_config_format(&d, &again, &err) ||
		    strcmp(text, again) != 0)
			abort();
		free(text);
		free(again);
	}
	arg = malloc(size + 1);
	if (!arg)
		abort();
	memcpy(arg, data, size);
	arg[size] = '\0';
	vt_gan_config_defaults(&c, VT_GAN_DCGAN);
	if (vt_gan_config_set(&c, arg, &err) &&
	    (!err.msg[0] || err.code != VT_ECONFIG))
		abort();
	free(arg);
	return 0;
}
