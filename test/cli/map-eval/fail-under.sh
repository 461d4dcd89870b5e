map-eval -q --gt test/data/mapeval/c01_basic/gt.json --dt test/data/mapeval/c01_basic/dt.json --json -o $T/m.json --fail-under 0.3; s=$?; head -c 40 $T/m.json; echo; exit $s
