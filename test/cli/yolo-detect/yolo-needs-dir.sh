# --format yolo without -o DIR
yolo-detect -c test/data/yolo/tiny.cfg -w x --format yolo a.png
