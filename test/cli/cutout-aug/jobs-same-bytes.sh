set -e
cutout-aug --length 6 --holes 3 --fill noise --copies 3 --seed 11 -j 1 -o "$T/a" test/data/images/tree
cutout-aug --length 6 --holes 3 --fill noise --copies 3 --seed 11 -j 4 -o "$T/b" test/data/images/tree
diff -r "$T/a" "$T/b"
cd "$T/b" && find . -type f | sort
