yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --names test/data/yolo/tiny.names \
	--thresh 0 --max-dets 3 test/data/images/c3-7x5.png | wc -l
