# a CSV and an SVG per class with ground truth, named <id>_<name>
map-eval --gt test/data/mapeval/records/gt.json --dt test/data/mapeval/records/dt.json --pr-curves $T/pr --csv > $T/out &&
	(cd $T/pr && ls && head -3 3_cat.csv && wc -l < 7_dog.csv && head -c 5 7_dog.svg && echo && tail -1 7_dog.svg)
