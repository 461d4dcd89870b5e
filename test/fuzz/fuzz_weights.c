/* fuzz_weights.c - libFuzzer target for the darknet .weights reader on a
 * small fixed cfg (two convolutions, one with batch norm, and a [yolo]).
 *
 * Any input is refused with a one-line message naming the file, or read
 * whole (its size is then exactly the cfg's) and the forward runs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt/darknet.h"

static const char cfg[] =
	"[net]\nwidth=8\nheight=8\nchannels=3\n"
	"[convolutional]\nbatch_normalize=1\nfilters=4\nsize=3\nstride=1\n"
	"pad=1\nactivation=leaky\n"
	"[convolutional]\nfilters=14\nsize=1\nstride=1\nactivation=linear\n"
	"[yolo]\nmask=0,1\nanchors=2,3, 4,5\nclasses=2\nnum=2\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_dn_net *net;
	struct vt_err err;

	vt_err_clear(&err);
	if (vt_dn_net_parse(cfg, sizeof cfg - 1, "fuzz.cfg", 0, 0, &net, &err))
		abort();
	if (vt_dn_weights_read_mem(net, data, size, "fuzz.weights", &err)) {
		if (!strstr(err.msg, "fuzz.weights") || strchr(err.msg, '\n'))
			abort();
	} else {
		vt_dn_forward(net);
	}
	vt_dn_net_free(net);
	return 0;
}
