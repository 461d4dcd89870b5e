# malformed config test/data/bad/yolo-route-range.cfg: 78 and file:line
yolo-detect -c test/data/bad/yolo-route-range.cfg -w x a.png
