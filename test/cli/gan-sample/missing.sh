gan-sample --checkpoint "$T/none.safetensors" -o "$T/x.png"
