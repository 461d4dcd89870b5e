cat test/data/records/stream.vts | tensor-inspect
