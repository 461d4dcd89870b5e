cutout-aug --length 8 --seed 7 --masks --log "$T/log" -o "$T/out" test/data/images/tree && cd "$T" && find . -type f | sort && sed "s|$T|T|g" log
