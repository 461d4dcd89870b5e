^gan-train: .*/x.cfg:3: unknown key 'batch_sise' in \[train\]$
