^gan-train: 16 images in batches of 5 leave a last batch of one image, on which batch norm cannot train; choose another batch size$
