tensor-inspect test/data/records
