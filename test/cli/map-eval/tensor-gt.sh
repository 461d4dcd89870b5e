# ground truth as records too (classes named by their number)
map-eval --gt test/data/mapeval/records/gt.vts --dt - < test/data/mapeval/records/dt.vts
