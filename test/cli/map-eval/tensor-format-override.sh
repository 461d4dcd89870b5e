# --dt-format overrides detection by content
map-eval --gt test/data/mapeval/records/gt.json --dt test/data/mapeval/records/dt.vts --dt-format coco
