map-eval --gt test/data/bad/mapeval-dup-ann-id.json --dt test/data/mapeval/c01_basic/dt.json
