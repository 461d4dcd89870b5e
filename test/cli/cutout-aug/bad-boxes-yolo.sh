cutout-aug --length 8 --boxes test/data/bad/labels-yolo -o "$T/out" test/data/images/tree/a.png; rc=$?; find "$T" -type f; exit $rc
