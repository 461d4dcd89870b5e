# files that crashed, hung or leaked memory in Debian's stb_image: each is
# refused by name and nothing is written
for f in img-dht-overflow.jpg img-hdr-zero-run.hdr img-no-scan.jpg; do
	cutout-aug --length 4 -o "$T/out" "test/data/bad/$f"
	echo "$f: $?"
done
find "$T" -type f
