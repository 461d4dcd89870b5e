# --format coco: an image with no id is an error naming it
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 0 --format coco \
	test/data/images/c3-7x5.png > /dev/null
