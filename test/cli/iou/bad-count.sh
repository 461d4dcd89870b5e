# A line of three numbers: the file, the line and the problem.
iou test/data/bad/iou-three-numbers.txt
