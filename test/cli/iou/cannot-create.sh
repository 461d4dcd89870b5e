# An output in a directory that does not exist; nothing left behind.
iou -o "$T/no/dir/m.safetensors" '0 0 1 1'
