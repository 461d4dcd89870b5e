yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w" --seed 3 &&
stat -c %s "$T/w" &&
yolo-detect -c test/data/yolo/tiny.cfg --synth-weights "$T/w2" --seed 3 &&
cmp "$T/w" "$T/w2" && echo same
