# -o FILE with another extension writes the text there, nothing on stdout.
iou -o "$T/m.txt" '0 0 10 10' '5 5 15 15'
cat "$T/m.txt"
