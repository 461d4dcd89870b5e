yolo-detect --bogus
