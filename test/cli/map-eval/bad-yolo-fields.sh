map-eval --gt test/data/bad/mapeval-yolo/gt --dt test/data/bad/mapeval-yolo/dt --sizes test/data/bad/mapeval-yolo/sizes
