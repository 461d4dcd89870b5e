^yolo-detect: '.*/nope.png'
