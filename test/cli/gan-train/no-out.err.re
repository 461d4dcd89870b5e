gan-train: --out DIR is required
