^gan-train: --set 'optim.lr=fast': lr: 'fast' is not a number$
