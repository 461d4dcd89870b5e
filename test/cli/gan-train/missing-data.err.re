^gan-train: '.*/nothing.idx': no such dataset
