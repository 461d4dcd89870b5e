set -e
cutout-aug --length 3 --seed 5 < test/data/images/batch.safetensors -o - - > "$T/a.vts"
cutout-aug --length 3 --seed 5 -o "$T/b.safetensors" test/data/images/batch.safetensors
cmp "$T/a.vts" "$T/b.safetensors"
cutout-aug --length 3 --seed 6 -o "$T/c.safetensors" test/data/images/batch.safetensors
! cmp -s "$T/a.vts" "$T/c.safetensors"
