cp test/data/records/stream.vts "$T" && cd "$T" || exit
tensor-inspect --to-npy . stream.vts || exit
ls
tensor-inspect --slice x x.npy && tensor-inspect --slice x.2 x.2.npy
