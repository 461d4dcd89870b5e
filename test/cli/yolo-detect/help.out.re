^usage: yolo-detect -c CFG -w WEIGHTS
