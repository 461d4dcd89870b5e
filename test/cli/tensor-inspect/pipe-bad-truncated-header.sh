cat test/data/bad/bad-truncated-header.vts | tensor-inspect
