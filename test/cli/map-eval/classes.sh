# a subset of the classes, by name or id: the means run over it only
map-eval --gt test/data/mapeval/records/gt.json --dt test/data/mapeval/records/dt.json --classes 7
