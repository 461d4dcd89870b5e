tensor-inspect --head 1 test/data/records/stream.vts test/data/records/stream.vts
