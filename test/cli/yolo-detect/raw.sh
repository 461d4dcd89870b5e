# --raw: one record per image, a yolo<layer> tensor [anchor, entry, H, W]
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --raw "$T/raw.vts" -o /dev/null \
	test/data/images/c3-7x5.png test/data/images/c4-7x5.png &&
tensor-inspect "$T/raw.vts" | sed "s|$T|T|"
