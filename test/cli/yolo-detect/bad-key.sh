yolo-detect -c test/data/yolo/bad-key.cfg -w /dev/null x.png
