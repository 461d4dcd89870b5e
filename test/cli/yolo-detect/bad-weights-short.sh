# truncated weights: 65 with the expected and actual sizes
yolo-detect -c test/data/yolo/tiny.cfg -w test/data/bad/yolo-short.weights a.png
