cutout-aug --length 4 -o "$T/out" test/data/images/c3-7x5.png test/data/bad/img-truncated.jpg; rc=$?; cd "$T" && find . -type f | sort; exit $rc
