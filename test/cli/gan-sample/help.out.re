usage: gan-sample --checkpoint FILE
