^usage: tensor-inspect \[
