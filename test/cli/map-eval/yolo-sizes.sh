# sizes from a file; classes named by number without --names
map-eval --gt test/data/mapeval/records/yolo/gt --dt test/data/mapeval/records/yolo/dt --sizes test/data/mapeval/records/yolo/sizes --csv
