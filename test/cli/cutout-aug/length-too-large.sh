cutout-aug --length 25 -o "$T/out" test/data/images/tree/a.png; rc=$?; find "$T" -type f; exit $rc
