cutout-aug --length 4 -o "$T/out" test/data/bad/img-truncated.png; rc=$?; find "$T" -type f; exit $rc
