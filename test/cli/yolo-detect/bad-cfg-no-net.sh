# malformed config test/data/bad/yolo-no-net.cfg: 78 and file:line
yolo-detect -c test/data/bad/yolo-no-net.cfg -w x a.png
