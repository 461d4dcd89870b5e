# hostile images among good ones: each reported, the good one detected
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 0 --max-dets 1 \
	--format jsonl test/data/bad/img-dht-overflow.jpg \
	test/data/bad/img-hdr-cut.hdr test/data/images/c3-7x5.png \
	test/data/bad/img-pnm-cut.ppm > "$T/out"
s=$?
grep -c '"image":"test/data/images/c3-7x5.png"' "$T/out"
exit $s
