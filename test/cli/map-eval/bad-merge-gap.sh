map-eval --gt test/data/mapeval/c01_basic/gt.json --dt test/data/mapeval/c01_basic/dt.json --partial --shard 1/3 -o $T/a.vts &&
map-eval --gt test/data/mapeval/c01_basic/gt.json --dt test/data/mapeval/c01_basic/dt.json --partial --shard 3/3 -o $T/b.vts &&
map-eval --merge $T/a.vts $T/b.vts 2>&1 | sed "s|$T|T|g"
exit ${PIPESTATUS[0]}
