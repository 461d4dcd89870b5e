^gan-train \(vt\) [0-9]
