map-eval --gt test/data/mapeval/records/gt.vts --dt test/data/mapeval/records/dt.json
