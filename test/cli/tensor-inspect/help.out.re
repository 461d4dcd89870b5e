^usage: tensor-inspect \[
^       tensor-inspect --from-npy 
^  --slice SPEC 
^  -h, --help 
