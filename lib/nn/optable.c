/* optable.c - the one table of ops: name and backward. */
#include <stddef.h>

#include "nn_impl.h"

#define OP(e, n, bw) [VT_NN_OP_##e] = { n, bw }

const struct vt_nn_op_info vt_nn__ops[] = {
	OP(LEAF, "leaf", NULL),
	OP(ADD, "add", vt_nn__bw_add),
	OP(SUB, "sub", vt_nn__bw_sub),
	OP(MUL, "mul", vt_nn__bw_mul),
	OP(DIV, "div", vt_nn__bw_div),
	OP(SCALE, "scale", vt_nn__bw_scale),
	OP(ADD_SCALAR, "add_scalar", vt_nn__bw_add_scalar),
	OP(NEG, "neg", vt_nn__bw_neg),
	OP(EXP, "exp", vt_nn__bw_exp),
	OP(LOG, "log", vt_nn__bw_log),
	OP(SQRT, "sqrt", vt_nn__bw_sqrt),
	OP(ABS, "abs", vt_nn__bw_abs),
	OP(POW, "pow", vt_nn__bw_pow),
	OP(CLAMP, "clamp", vt_nn__bw_clamp),
	OP(RELU, "relu", vt_nn__bw_relu),
	OP(LEAKY_RELU, "leaky_relu", vt_nn__bw_leaky_relu),
	OP(TANH, "tanh", vt_nn__bw_tanh),
	OP(SIGMOID, "sigmoid", vt_nn__bw_sigmoid),
	OP(STEP, "step", NULL),
	OP(INRANGE, "inrange", NULL),
	OP(SIGN, "sign", NULL),
	OP(TANH_BACKWARD, "tanh_backward", vt_nn__bw_tanh_backward),
	OP(SIGMOID_BACKWARD, "sigmoid_backward", vt_nn__bw_sigmoid_backward),
	OP(LEAKY_RELU_BACKWARD, "leaky_relu_backward",
	   vt_nn__bw_leaky_relu_backward),
	OP(BROADCAST, "broadcast", vt_nn__bw_broadcast),
	OP(SUM_TO, "sum_to", vt_nn__bw_sum_to),
	OP(SOFTMAX, "softmax", vt_nn__bw_softmax),
	OP(LOG_SOFTMAX, "log_softmax", vt_nn__bw_log_softmax),
	OP(MATMUL, "matmul", vt_nn__bw_matmul),
	OP(LINEAR, "linear", vt_nn__bw_linear),
	OP(RESHAPE, "reshape", vt_nn__bw_reshape),
	OP(CONCAT, "concat", vt_nn__bw_concat),
	OP(NARROW, "narrow", vt_nn__bw_narrow),
	OP(UNNARROW, "unnarrow", vt_nn__bw_unnarrow),
	OP(EMBEDDING, "embedding", vt_nn__bw_embedding),
	OP(EMBEDDING_BACKWARD, "embedding_backward",
	   vt_nn__bw_embedding_backward),
	OP(PICK, "pick", vt_nn__bw_pick),
	OP(UNPICK, "unpick", vt_nn__bw_unpick),
	OP(BATCH_NORM, "batch_norm", vt_nn__bw_batch_norm),
	OP(BCE, "bce", vt_nn__bw_bce),
	OP(BCE_LOGITS, "bce_logits", vt_nn__bw_bce_logits),
	OP(CONV2D, "conv2d", vt_nn__bw_conv2d),
	OP(CONV_TRANSPOSE2D, "conv_transpose2d", vt_nn__bw_conv_transpose2d),
	OP(CONV2D_WGRAD, "conv2d_wgrad", vt_nn__bw_conv2d_wgrad),
	OP(UPSAMPLE2X, "upsample2x", vt_nn__bw_upsample2x),
	OP(SUMPOOL2X, "sumpool2x", vt_nn__bw_sumpool2x),
	OP(CHANNEL_SUM, "channel_sum", vt_nn__bw_channel_sum),
	OP(CHANNEL_BROADCAST, "channel_broadcast",
	   vt_nn__bw_channel_broadcast),
	OP(CHANNEL_AFFINE, "channel_affine", vt_nn__bw_channel_affine),
	OP(BATCH_NORM2D, "batch_norm2d", vt_nn__bw_batch_norm2d),
	OP(UPCONV_FOLD, "upconv_fold", vt_nn__bw_upconv_fold),
	OP(UPCONV_UNFOLD, "upconv_unfold", vt_nn__bw_upconv_unfold),
	OP(PHASE_INTERLEAVE, "phase_interleave", vt_nn__bw_phase_interleave),
	OP(PHASE_SPLIT, "phase_split", vt_nn__bw_phase_split),
};

_Static_assert(sizeof vt_nn__ops / sizeof vt_nn__ops[0] == VT_NN_OP_COUNT,
	       "one table entry per op");

const char *vt_nn_op_name(enum vt_nn_op op)
{
	if ((unsigned)op >= VT_NN_OP_COUNT || !vt_nn__ops[op].name)
		return NULL;
	return vt_nn__ops[op].name;
}
