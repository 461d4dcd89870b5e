tensor-inspect test/data/bad/bad-truncated-data.vts
