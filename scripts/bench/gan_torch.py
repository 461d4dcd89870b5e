#!/usr/bin/python3
"""PyTorch reference side of scripts/bench/gan-train.sh.

Trains one family of the PyTorch-GAN collection the way its script does
(same networks, losses, optimisers and step order; written here from the
catalogue in ../shared/reference, not copied) on Fashion-MNIST at batch 64
on the CPU and prints the mean milliseconds per iteration (one batch) after
a warm-up.

    gan_torch.py MODEL ITERS THREADS
"""
import gzip
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

IDX = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


def load(size):
    with gzip.open(IDX) as f:
        _, n, h, w = struct.unpack(">IIII", f.read(16))
        x = np.frombuffer(f.read(), np.uint8).reshape(n, 1, h, w)
    x = torch.from_numpy((x.astype(np.float32) / 255 - 0.5) / 0.5)
    if size != 28:
        x = F.interpolate(x, size=(size, size), mode="bilinear",
                          align_corners=False)
    return x


class MLPG(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [nn.Linear(100, 128), nn.LeakyReLU(0.2)]
        for a, b in ((128, 256), (256, 512), (512, 1024)):
            layers += [nn.Linear(a, b), nn.BatchNorm1d(b, 0.8), nn.LeakyReLU(0.2)]
        layers += [nn.Linear(1024, 784), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, z):
        return self.model(z).view(z.shape[0], 1, 28, 28)


class MLPD(nn.Module):
    def __init__(self, sigmoid):
        super().__init__()
        layers = [nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256),
                  nn.LeakyReLU(0.2), nn.Linear(256, 1)]
        if sigmoid:
            layers.append(nn.Sigmoid())
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x.view(x.shape[0], -1))


class DCG(nn.Module):
    def __init__(self, first_bn=True):
        super().__init__()
        self.l1 = nn.Sequential(nn.Linear(100, 128 * 8 * 8))
        head = [nn.BatchNorm2d(128)] if first_bn else []
        self.conv_blocks = nn.Sequential(
            *head, nn.Upsample(scale_factor=2), nn.Conv2d(128, 128, 3, 1, 1),
            nn.BatchNorm2d(128, 0.8), nn.LeakyReLU(0.2),
            nn.Upsample(scale_factor=2), nn.Conv2d(128, 64, 3, 1, 1),
            nn.BatchNorm2d(64, 0.8), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 1, 3, 1, 1), nn.Tanh())

    def forward(self, z):
        return self.conv_blocks(self.l1(z).view(z.shape[0], 128, 8, 8))


class DCD(nn.Module):
    def __init__(self, sigmoid):
        super().__init__()
        def block(a, b, bn=True):
            out = [nn.Conv2d(a, b, 3, 2, 1), nn.LeakyReLU(0.2), nn.Dropout2d(0.25)]
            return out + ([nn.BatchNorm2d(b, 0.8)] if bn else [])
        self.model = nn.Sequential(*block(1, 16, False), *block(16, 32),
                                   *block(32, 64), *block(64, 128))
        tail = [nn.Linear(512, 1)] + ([nn.Sigmoid()] if sigmoid else [])
        self.adv_layer = nn.Sequential(*tail)

    def forward(self, x):
        return self.adv_layer(self.model(x).view(x.shape[0], -1))


def init_normal(m):
    if isinstance(m, nn.Conv2d):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def main():
    model, iters, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    conv = model in ("dcgan", "lsgan")
    x = load(32 if conv else 28)
    if conv:
        G, D = DCG(model == "dcgan"), DCD(model == "dcgan")
        G.apply(init_normal)
        D.apply(init_normal)
    else:
        G, D = MLPG(), MLPD(model == "gan")
    if model == "wgan":
        opt_g = torch.optim.RMSprop(G.parameters(), lr=5e-5)
        opt_d = torch.optim.RMSprop(D.parameters(), lr=5e-5)
    else:
        opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce, mse = nn.BCELoss(), nn.MSELoss()
    b = 64
    perm = torch.randperm(x.shape[0])
    warm = max(iters // 10, 3)
    t0 = None
    for i in range(iters + warm):
        if i == warm:
            t0 = time.perf_counter()
        real = x[perm[(i * b) % (x.shape[0] - b):][:b]]
        valid, fake_t = torch.ones(b, 1), torch.zeros(b, 1)
        z = torch.randn(b, 100)
        if model in ("gan", "dcgan", "lsgan"):
            loss = bce if model != "lsgan" else mse
            opt_g.zero_grad()
            gen = G(z)
            loss(D(gen), valid).backward()
            opt_g.step()
            opt_d.zero_grad()
            d_loss = (loss(D(real), valid) + loss(D(gen.detach()), fake_t)) / 2
            d_loss.backward()
            opt_d.step()
        elif model == "wgan":
            opt_d.zero_grad()
            gen = G(z).detach()
            (-torch.mean(D(real)) + torch.mean(D(gen))).backward()
            opt_d.step()
            for p in D.parameters():
                p.data.clamp_(-0.01, 0.01)
            if i % 5 == 0:
                opt_g.zero_grad()
                (-torch.mean(D(G(z)))).backward()
                opt_g.step()
        elif model == "wgan_gp":
            opt_d.zero_grad()
            gen = G(z)
            alpha = torch.rand(b, 1, 1, 1)
            xi = (alpha * real + (1 - alpha) * gen).requires_grad_(True)
            g = torch.autograd.grad(D(xi), xi, torch.ones(b, 1),
                                    create_graph=True)[0].view(b, -1)
            gp = ((g.norm(2, dim=1) - 1) ** 2).mean()
            (-torch.mean(D(real)) + torch.mean(D(gen)) + 10 * gp).backward()
            opt_d.step()
            opt_g.zero_grad()
            if i % 5 == 0:
                (-torch.mean(D(G(z)))).backward()
                opt_g.step()
        else:
            sys.exit(f"gan_torch.py: unknown model '{model}'")
    print(f"{(time.perf_counter() - t0) * 1000 / iters:.2f}")


if __name__ == "__main__":
    main()
