set -e
cutout-aug --length 3 --fill 200 --masks --seed 5 -o "$T/o.safetensors" test/data/images/batch.safetensors
cd "$T" && tensor-inspect o.safetensors
