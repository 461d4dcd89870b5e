head -c 700 test/data/records/stream.vts | tensor-inspect
