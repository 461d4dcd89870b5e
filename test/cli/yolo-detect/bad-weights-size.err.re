^yolo-detect: '.*/short': expected 437 floats after the header for 'test/data/yolo/tiny.cfg', file has 245$
