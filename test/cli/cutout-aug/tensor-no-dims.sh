cutout-aug --length 3 -o "$T/o.safetensors" test/data/images/nodims.safetensors; rc=$?; find "$T" -type f; exit $rc
