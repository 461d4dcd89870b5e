# An empty box set gives an empty matrix.
printf '# nothing\n' | iou - '0 0 1 1'
iou -o "$T/e.safetensors" - '0 0 1 1' < /dev/null && tensor-inspect "$T/e.safetensors" | tail -n 1
