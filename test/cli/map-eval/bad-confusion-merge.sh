map-eval --merge a.vts --confusion-matrix
