# malformed config test/data/bad/yolo-unknown-section.cfg: 78 and file:line
yolo-detect -c test/data/bad/yolo-unknown-section.cfg -w x a.png
