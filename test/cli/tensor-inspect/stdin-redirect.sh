tensor-inspect - < test/data/records/stream.vts
