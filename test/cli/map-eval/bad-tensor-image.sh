map-eval --gt test/data/mapeval/c01_basic/gt.json --dt test/data/mapeval/records/dt.vts
