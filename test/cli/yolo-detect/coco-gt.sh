# --format coco with ids from --coco-gt: read back by map-eval
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --names test/data/yolo/tiny.names \
	--thresh 0 --max-dets 2 --format coco --coco-gt test/data/yolo/gt.json \
	test/data/images/c3-7x5.png test/data/images/c4-7x5.png > "$T/r.json" &&
grep -o '"image_id":[0-9]*' "$T/r.json" | sort | uniq -c | sed 's/^ *//' &&
map-eval --gt test/data/yolo/gt.json --dt "$T/r.json" > /dev/null
