# --draw into a path that cannot be a directory: exit 73, no crash
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" && : > "$T/file" &&
yolo-detect -c test/data/yolo/tiny.cfg -w "$T/w" -o /dev/null \
	--draw "$T/file/sub" test/data/images/c3-7x5.png
