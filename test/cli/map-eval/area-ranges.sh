# custom area ranges: 'all' stays first; labels the summary does not know
# are in the JSON only; small/medium/large stats without a range are -1
map-eval --gt test/data/mapeval/records/gt.json --dt test/data/mapeval/records/dt.json --area-ranges small=0:600,huge=1e4:1e10 --json
