# a shard of detection records from standard input, to standard output
cat test/data/mapeval/records/dt.vts |
	map-eval --gt test/data/mapeval/records/gt.json --dt - --partial > $T/all.vts &&
	map-eval --merge $T/all.vts --csv
