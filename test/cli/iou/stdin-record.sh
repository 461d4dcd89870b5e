# A tensor record on standard input reads as the same boxes as the text.
iou - test/data/iou/b.txt < test/data/iou/a.safetensors > "$T/rec.txt"
iou test/data/iou/a.txt test/data/iou/b.txt > "$T/txt.txt"
cmp "$T/rec.txt" "$T/txt.txt" && wc -l < "$T/rec.txt"
