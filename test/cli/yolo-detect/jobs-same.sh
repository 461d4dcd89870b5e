# -j 3 and the default (a thread per core) give the same bytes in the same
# order as one thread
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
set -- test/data/images/c3-7x5.png test/data/images/c4-7x5.png test/data/images/c1-7x5.png \
	test/data/images/c3-7x5.bmp test/data/images/c3-7x5.png &&
yolo-detect -j 1 -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 0 --format tensor "$@" > "$T/a" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 0 --format tensor -j 3 "$@" > "$T/b" &&
cmp "$T/a" "$T/b" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 0 --format tensor "$@" | cmp - "$T/a" &&
echo same
