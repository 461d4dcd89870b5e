# the records case as YOLO labels, class names from --names
map-eval --gt test/data/mapeval/records/yolo/gt --dt test/data/mapeval/records/yolo/dt --sizes test/data/mapeval/records/yolo/sizes --names test/data/mapeval/records/yolo/names --confusion-matrix --cm-iou 0.7 --cm-score 0.5 --csv
