# malformed config test/data/bad/yolo-bad-int.cfg: 78 and file:line
yolo-detect -c test/data/bad/yolo-bad-int.cfg -w x a.png
