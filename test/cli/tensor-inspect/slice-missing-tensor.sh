tensor-inspect --slice e test/data/records/stream.vts
