tensor-inspect --help
