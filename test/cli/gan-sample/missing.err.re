^gan-sample: '.*/none.safetensors': cannot open: No such file or directory$
