yolo-detect --help
