# --format coco without --coco-gt: ids are the numeric file names
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
cp test/data/images/c3-7x5.png "$T/000000000139.png" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 0 --max-dets 1 \
	--format coco "$T/000000000139.png" | grep -c '"image_id":139,"category_id":[01],"bbox":\['
