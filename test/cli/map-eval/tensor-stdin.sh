# detection records on standard input, as yolo-detect --format tensor writes
# them (a.jpg is named imgs/a.jpg: found by its base name); the same
# numbers as the COCO results list with the same boxes
cat test/data/mapeval/records/dt.vts | map-eval --gt test/data/mapeval/records/gt.json --dt - --json > $T/rec.json
map-eval --gt test/data/mapeval/records/gt.json --dt test/data/mapeval/records/dt.json --json > $T/coco.json
cmp $T/rec.json $T/coco.json && cat $T/rec.json
