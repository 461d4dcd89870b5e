^yolo-detect: '.*/file/sub': cannot create directory: Not a directory$
