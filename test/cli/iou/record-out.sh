# -o FILE.safetensors writes a tensor record 'iou' [A,B] with the metric.
iou --metric giou -o "$T/m.safetensors" test/data/iou/a.safetensors test/data/iou/b.txt &&
tensor-inspect "$T/m.safetensors" | sed 's|^.*/m.safetensors|m.safetensors|'
iou --pairwise -o "$T/p.safetensors" test/data/iou/a.txt &&
tensor-inspect "$T/p.safetensors" | sed 's|^.*/p.safetensors|p.safetensors|'
ls "$T"
