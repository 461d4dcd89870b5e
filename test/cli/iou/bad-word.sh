# A word where a number belongs, on standard input.
iou - < test/data/bad/iou-word.txt
