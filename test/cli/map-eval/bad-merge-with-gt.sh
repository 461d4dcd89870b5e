map-eval --merge --gt test/data/mapeval/c01_basic/gt.json a.vts
