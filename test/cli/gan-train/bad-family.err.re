^gan-train: unknown family 'stylegan' \(known: gan, dcgan, lsgan, wgan or wgan_gp\)$
