tensor-inspect --version
