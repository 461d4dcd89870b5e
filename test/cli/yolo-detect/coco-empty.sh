# --format coco with no detection: an empty list
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 1 --format coco --coco-gt test/data/yolo/gt.json \
	test/data/images/c3-7x5.png
