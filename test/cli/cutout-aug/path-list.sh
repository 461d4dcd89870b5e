set -e
printf "%s\n" test/data/images/c1-7x5.png test/data/images/tree/sub > "$T/list"
cutout-aug --length 3 -o "$T/out" - < "$T/list"
cd "$T" && find out -type f | sort
