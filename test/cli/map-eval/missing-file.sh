map-eval --gt /nonexistent.json --dt test/data/mapeval/c01_basic/dt.json
