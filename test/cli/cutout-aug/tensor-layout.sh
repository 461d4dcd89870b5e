cutout-aug --length 3 --layout N,C,H,W -o - test/data/images/nodims.safetensors | tensor-inspect -
