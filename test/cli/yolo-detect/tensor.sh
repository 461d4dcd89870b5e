yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 0 --max-dets 2 \
	--format tensor test/data/images/c3-7x5.png test/data/images/c4-7x5.png |
	tensor-inspect - | grep -E 'boxes|classes|scores' | sed 's/  */ /g' | sort | uniq -c | sed 's/^ *//'
