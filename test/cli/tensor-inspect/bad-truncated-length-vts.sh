tensor-inspect test/data/bad/bad-truncated-length.vts
