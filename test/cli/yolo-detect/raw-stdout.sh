# --raw - with the detections in a file; the records go to standard output
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --raw - -o "$T/d.txt" \
	test/data/images/c3-7x5.png | tensor-inspect - | grep -c yolo3
