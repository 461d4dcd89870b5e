yolo-detect -c x -w y --format xml z
