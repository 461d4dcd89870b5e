standard input can be only one of A and B
