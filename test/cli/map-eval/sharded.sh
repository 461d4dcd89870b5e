# three shards written in any order, merged: the single run's bytes
for k in 3 1 2; do
	map-eval --gt test/data/mapeval/c01_basic/gt.json --dt test/data/mapeval/c01_basic/dt.json --partial --shard $k/3 -o $T/s$k.vts || exit
done
map-eval --gt test/data/mapeval/c01_basic/gt.json --dt test/data/mapeval/c01_basic/dt.json --json > $T/single.json
map-eval --merge $T/s2.vts $T/s3.vts $T/s1.vts --json > $T/merged.json
cmp $T/single.json $T/merged.json && map-eval --merge $T/s*.vts --csv
