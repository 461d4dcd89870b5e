yolo-detect -c test/data/yolo/tiny.cfg -w w --raw - test/data/images/c3-7x5.png
