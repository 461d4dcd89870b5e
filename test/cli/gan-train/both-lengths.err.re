exclude each other
