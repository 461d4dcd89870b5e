map-eval --gt test/data/mapeval/records/gt.json --dt test/data/mapeval/records/dt.json --confusion-matrix
