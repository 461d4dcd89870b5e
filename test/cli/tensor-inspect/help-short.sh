# -h is --help
tensor-inspect -h > "$T/h" && tensor-inspect --help | cmp - "$T/h" && head -1 "$T/h"
