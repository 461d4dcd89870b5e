# --pairwise: box i of A with box i of B, one a line.
printf '0 0 10 10\n0 0 10 10\n' > "$T/a.txt"
printf '0 0 10 10\n5 5 15 15\n' > "$T/b.txt"
iou --pairwise "$T/a.txt" "$T/b.txt"
