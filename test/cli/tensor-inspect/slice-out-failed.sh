# an error leaves no output file behind
cp test/data/records/stream.vts "$T" && cd "$T" || exit
tensor-inspect --slice 'e[0]' -o s.vts stream.vts
rc=$?
ls
exit $rc
