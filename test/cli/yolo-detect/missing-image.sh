yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 0 --max-dets 1 \
	--format jsonl "$T/nope.png" test/data/images/c3-7x5.png > "$T/out"
s=$?
grep -c '"image":"test/data/images/c3-7x5.png"' "$T/out"
exit $s
