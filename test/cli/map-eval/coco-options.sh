map-eval --gt test/data/mapeval/c00_perfect/gt.json --dt test/data/mapeval/c00_perfect/dt.json --max-dets 1,2,3 --iou-thresholds 0.5,0.75
