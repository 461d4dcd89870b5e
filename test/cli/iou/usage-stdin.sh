# Standard input can be only one of the two box sets.
iou - -
