# --profile: a table of the layers and a total on stderr, summed over images
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --profile -o /dev/null \
	test/data/images/c3-7x5.png test/data/images/c4-7x5.png
