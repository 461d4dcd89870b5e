tensor-inspect --slice 'x[::-1,C=-1]' test/data/records/stream.vts
