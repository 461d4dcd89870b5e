# Text boxes on standard input, with comments, commas and blank lines.
printf '# two boxes\n\n0,0,10,10\n5 5 15 15  # second\n' | iou - '0 0 10 10'
