# --slice -o writes one record per input record; read it back
cp test/data/records/small.safetensors "$T" && cd "$T" || exit
tensor-inspect --slice 'images[N=1,H=0:2]' -o s.safetensors small.safetensors || exit
tensor-inspect s.safetensors && tensor-inspect --slice images s.safetensors
