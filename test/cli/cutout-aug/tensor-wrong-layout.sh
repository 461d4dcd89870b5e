cutout-aug --length 3 --tensor images --layout H,W,C -o "$T/o.safetensors" test/data/images/nodims.safetensors; rc=$?; find "$T" -type f; exit $rc
