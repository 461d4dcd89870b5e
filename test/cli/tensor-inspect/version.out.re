^tensor-inspect \(vt\) [0-9]+\.[0-9]+\.[0-9]+$
