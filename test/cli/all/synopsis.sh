# Each tool's --help synopsis equals the SYNOPSIS of its man page (as mandoc
# renders it), whitespace collapsed; and each tool has a man page.
status=0
for tool in $(ls "$(dirname "$(command -v tensor-inspect)")"); do
	page=man/man1/$tool.1
	if [ ! -f "$page" ]; then
		echo "$tool: no man page $page"
		status=1
		continue
	fi
	help=$("$tool" --help | sed -n '1,/^$/p' | sed 's/^usage: //; s/^ *//' |
		awk -v t="$tool" '$1 == t { if (s != "") print s; s = $0; next }
			{ s = s " " $0 } END { print s }' | tr -s ' \t' ' ' | sed 's/ *$//')
	man=$(mandoc -Tascii -Owidth=300 "$page" | col -b |
		sed -n '/^SYNOPSIS/,/^[A-Z]/p' | sed '1d;$d' | sed 's/^ *//' |
		awk -v t="$tool" '$1 == t { if (s != "") print s; s = $0; next }
			NF { s = s " " $0 } END { print s }' | tr -s ' \t' ' ' | sed 's/ *$//')
	if [ "$help" != "$man" ]; then
		echo "$tool: --help synopsis differs from $page:"
		echo "  help: $help"
		echo "  man:  $man"
		status=1
	fi
done
exit $status
