map-eval --gt test/data/mapeval/c01_basic/gt.json --dt test/data/mapeval/c01_basic/dt.json --json --fail-under 0.2 | head -c 29; echo
