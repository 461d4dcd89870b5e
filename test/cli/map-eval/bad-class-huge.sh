map-eval --gt test/data/bad/mapeval-class-huge.vts --dt test/data/bad/mapeval-class-huge.vts
