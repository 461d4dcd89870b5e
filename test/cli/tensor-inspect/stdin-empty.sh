tensor-inspect < /dev/null && printf '' | tensor-inspect -
