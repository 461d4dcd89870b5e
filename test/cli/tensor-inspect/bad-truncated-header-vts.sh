tensor-inspect test/data/bad/bad-truncated-header.vts
