# the same boxes as COCO JSON give the same draws as the YOLO labels
cutout-aug --length 8 --seed 7 --boxes test/data/labels/tree-coco.json --max-box-occlusion 0.3 --log - -o "$T/out" test/data/images/tree | sed "s|$T|T|g"
