printf '' | map-eval --gt test/data/mapeval/records/gt.json --dt -
