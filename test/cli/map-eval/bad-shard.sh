map-eval --gt test/data/mapeval/c01_basic/gt.json --dt test/data/mapeval/c01_basic/dt.json --partial --shard 4/3
