^yolo-detect: --raw -: standard output is taken, give -o FILE$
