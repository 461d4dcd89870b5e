tensor-inspect --slice g test/data/records/grid.safetensors && tensor-inspect --slice 'g[::13,cols=::-7]' test/data/records/grid.safetensors
