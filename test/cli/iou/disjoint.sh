# Regression: boxes apart in both x and y have IoU 0.  The widely copied
# snippet multiplies the negative overlap width by the negative overlap
# height and reports a positive IoU here.
iou '0 0 10 10' '20 20 30 30'
iou --legacy-pixel '0 0 10 10' '20 20 30 30'
iou '20 20 30 30' '0 0 10 10'
