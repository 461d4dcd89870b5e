map-eval --dt test/data/mapeval/c01_basic/dt.json
