^gan-train: '.*/run/checkpoint.safetensors': a checkpoint of family 'lsgan', not 'dcgan'$
