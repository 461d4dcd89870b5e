# Every metric against torchvision.ops (test/data/iou/ref-*.txt, float64)
# within 1e-6, end to end through the text output.  torchvision gives NaN for
# pairs of zero-area boxes, and for CIoU with a point; those are checked in
# the unit tests.
d=test/data/iou
for m in iou giou diou ciou; do
	iou --metric $m $d/a.txt $d/b.txt > "$T/$m.txt" || exit 1
	grep -v "^#" $d/ref-$m.txt | paste -d"\n" "$T/$m.txt" - |
	awk -v m=$m "NR % 2 == 1 { split(\$0, got); next }
		{ n = split(\$0, want); if (n != length(got)) { print m \": row length\"; bad = 1 }
		  for (i = 1; i <= n; i++) { if (want[i] == \"nan\") continue; k++
		    d = got[i] - want[i]; if (d < 0) d = -d
		    if (d > 1e-6) { print m \": row \" NR/2 \", col \" i \": \" got[i] \" vs \" want[i]; bad = 1 } } }
		END { if (k < 1000) { print m \": only \" k \" values\"; bad = 1 }; exit bad }" || exit 1
done
echo ok
