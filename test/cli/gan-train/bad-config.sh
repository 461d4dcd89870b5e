printf 'family = gan\n[train]\nbatch_sise = 3\n' > "$T/x.cfg"
gan-train --config "$T/x.cfg" --out "$T/run"
