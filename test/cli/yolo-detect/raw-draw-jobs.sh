# -j 2: the same raw records and drawn images as one thread
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
for j in 1 2; do
	yolo-detect -j $j -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 0 --max-dets 3 \
		--raw "$T/r$j.vts" --draw "$T/d$j" -o /dev/null test/data/images/tree \
		test/data/images/c3-7x5.png test/data/images/c4-7x5.png || exit
done &&
cmp "$T/r1.vts" "$T/r2.vts" && diff -r "$T/d1" "$T/d2" && find "$T/d2" -type f | wc -l
