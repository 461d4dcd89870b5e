# An input that does not exist (and is not four numbers).
iou test/data/iou/a.txt no-such-file.txt
