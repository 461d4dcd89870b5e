# With A alone: the n x n matrix of A with itself.
printf '0 0 10 10\n5 5 15 15\n20 20 30 30\n' > "$T/a.txt"
iou "$T/a.txt"
