map-eval --gt test/data/mapeval/cartucho_sample/ground-truth --dt test/data/mapeval/cartucho_sample/detection-results --pr-curves $T/pr
