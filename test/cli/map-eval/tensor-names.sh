# classes through a names file (dog, cat) instead of the category order
map-eval --gt test/data/mapeval/records/gt.json --dt test/data/mapeval/records/dt-named.vts --names test/data/mapeval/records/names --csv
