# missing weights file: 66
yolo-detect -c test/data/yolo/tiny.cfg -w test/data/bad/yolo-missing.weights a.png
