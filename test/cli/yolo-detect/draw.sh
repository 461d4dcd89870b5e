# --draw DIR: annotated copies under their relative names (a directory's
# images below it, a GIF written as PNG), the original left unchanged
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 0 --max-dets 2 -o /dev/null \
	--draw "$T/d" test/data/images/c3-7x5.bmp test/data/images/c1-7x5.gif \
	test/data/images/tree &&
(cd "$T/d" && find . -type f | sort) &&
! cmp -s test/data/images/c3-7x5.bmp "$T/d/test/data/images/c3-7x5.bmp" &&
echo changed
