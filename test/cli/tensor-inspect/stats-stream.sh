tensor-inspect --stats --tensor x test/data/records/stream.vts
