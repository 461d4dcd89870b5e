cutout-aug --length 9 -o "$T/o.vts" test/data/images/batch.safetensors; rc=$?; find "$T" -type f; exit $rc
