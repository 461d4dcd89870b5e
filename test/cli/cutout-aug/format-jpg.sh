cutout-aug --length 3 --format jpg --quality 80 -o "$T/out" test/data/images/c3-7x5.png test/data/images/c1-7x5.gif && cd "$T" && find out -type f | sort
