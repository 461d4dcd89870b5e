# --format yolo: one label file per image, six fields, normalised
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" &&
mkdir "$T/labels" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" --thresh 0 --max-dets 3 \
	--format yolo -o "$T/labels" test/data/images/c3-7x5.png test/data/images/c4-7x5.png &&
ls "$T/labels" &&
cat "$T/labels"/*.txt | awk 'NF != 6 || $1 !~ /^[01]$/ { bad++ }
	{ for (i = 2; i <= 6; i++) if ($i < -1 || $i > 2) bad++ }
	END { print NR, bad + 0 }'
