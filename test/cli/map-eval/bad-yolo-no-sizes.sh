map-eval --gt test/data/mapeval/records/yolo/gt --dt test/data/mapeval/records/yolo/dt --gt-format yolo --dt-format yolo
