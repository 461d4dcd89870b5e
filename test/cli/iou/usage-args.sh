# No box set, then three.
iou
status=$?
iou '0 0 1 1' '0 0 1 1' '0 0 1 1'
[ $? = 64 ] && exit $status
