/* fuzz_cfg.c - libFuzzer target for the darknet .cfg parser and network
 * builder (strict and lenient).
 *
 * Any input is refused with a one-line message that names the cfg, or
 * builds a network whose layer shapes are positive and consistent.
 * Networks are held to 256 MiB (the tool's limit is 16 GiB), so that a
 * valid but huge cfg is refused, not allocated past libFuzzer's limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt/darknet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (unsigned flags = 0; flags <= VT_DN_LENIENT; flags++) {
		struct vt_dn_net *net = NULL;
		struct vt_err err;

		vt_err_clear(&err);
		if (vt_dn_net_parse((const char *)data, size, "fuzz.cfg", flags,
				    UINT64_C(256) << 20, &net, &err)) {
			if (net || strncmp(err.msg, "fuzz.cfg", 8) != 0 ||
			    strchr(err.msg, '\n'))
				abort();
			continue;
		}
		for (int i = 0; i < net->n; i++) {
			const struct vt_dn_layer *l = &net->layers[i];

			if (l->out_c <= 0 || l->out_h <= 0 || l->out_w <= 0 ||
			    l->out_n != (size_t)l->out_c * l->out_h * l->out_w)
				abort();
		}
		vt_dn_net_free(net);
	}
	return 0;
}
