map-eval --gt test/data/mapeval/voc-missing/gt --dt test/data/mapeval/voc-missing/dt
