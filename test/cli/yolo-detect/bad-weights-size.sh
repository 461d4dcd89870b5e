yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
head -c 1000 "$T/w" > "$T/short" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/short" test/data/images/c3-7x5.png
