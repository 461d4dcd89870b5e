cp test/data/records/stream.vts "$T" && cd "$T" || exit
tensor-inspect --slice 'x[:,C=1]' -o s.vts stream.vts || exit
tensor-inspect --json s.vts && tensor-inspect --slice x - < s.vts
