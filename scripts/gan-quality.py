#!/usr/bin/python3
"""Held-out quality score of GAN samples on Fashion-MNIST, the same for vt
and for PyTorch.

    gan-quality.py score SAMPLES...        (records from gan-sample -o X.safetensors)
    gan-quality.py torch MODEL EPOCHS OUT  (train the collection's MODEL with
                                            PyTorch for EPOCHS, write 10,000
                                            samples to OUT like gan-sample)

The score is a Frechet distance (as FID, but on Fashion-MNIST): features are
the 128-unit penultimate layer of a small CNN classifier trained with PyTorch
on the 60,000 training images (cached in ~/.cache/vt/, about a minute to
train on two cores, test accuracy printed); the reference statistics are
those of the 10,000 held-out test images, which neither GAN saw.  Lower is
better; the test set against the training set scores about 1.  Also
printed: the mean top-class probability (how garment-like the samples are)
and the entropy of the predicted class histogram (diversity; ln 10 = 2.30 is
uniform).
"""
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "interop"))
from _st import decode_one, encode  # noqa: E402


def _bench_module():
    """scripts/bench/gan_torch.py: the collection's networks (by path: the
    interop folder has a test of the same name)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "vt_bench_gan_torch", os.path.join(HERE, "bench", "gan_torch.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gan_torch = _bench_module()

FM = "/usr/share/datasets/fashion-mnist"
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "vt", "fmnist-classifier.pt")


def idx_images(name):
    with gzip.open(os.path.join(FM, name)) as f:
        _, n, h, w = struct.unpack(">IIII", f.read(16))
        x = np.frombuffer(f.read(), np.uint8).reshape(n, 1, h, w)
    return torch.from_numpy((x.astype(np.float32) / 255 - 0.5) / 0.5)


def idx_labels(name):
    with gzip.open(os.path.join(FM, name)) as f:
        f.read(8)
        return torch.from_numpy(np.frombuffer(f.read(), np.uint8).astype(np.int64))


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3, 1, 1)
        self.c2 = nn.Conv2d(32, 64, 3, 1, 1)
        self.fc = nn.Linear(64 * 7 * 7, 128)
        self.out = nn.Linear(128, 10)

    def features(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return F.relu(self.fc(x.flatten(1)))

    def forward(self, x):
        return self.out(self.features(x))


def classifier():
    net = Classifier()
    if os.path.exists(CACHE):
        net.load_state_dict(torch.load(CACHE))
        return net.eval()
    torch.manual_seed(0)
    x, y = idx_images("train-images-idx3-ubyte.gz"), idx_labels("train-labels-idx1-ubyte.gz")
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    t0 = time.time()
    for epoch in range(3):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            j = perm[i:i + 128]
            opt.zero_grad()
            F.cross_entropy(net(x[j]), y[j]).backward()
            opt.step()
    net.eval()
    xt, yt = idx_images("t10k-images-idx3-ubyte.gz"), idx_labels("t10k-labels-idx1-ubyte.gz")
    with torch.no_grad():
        acc = float((net(xt).argmax(1) == yt).float().mean())
    print("classifier: 3 epochs in %.0f s, test accuracy %.4f" % (time.time() - t0, acc),
          file=sys.stderr)
    os.makedirs(os.path.dirname(CACHE), exist_ok=True)
    torch.save(net.state_dict(), CACHE)
    return net


def stats(net, x):
    if x.shape[-1] != 28:  # the 32-pixel families: back to the classifier's size
        x = F.interpolate(x, size=(28, 28), mode="bilinear", align_corners=False,
                          antialias=True)
    with torch.no_grad():
        feats, probs = [], []
        for i in range(0, len(x), 500):
            f = net.features(x[i:i + 500])
            feats.append(f.double())
            probs.append(F.softmax(net.out(f), 1).double())
    f, p = torch.cat(feats).numpy(), torch.cat(probs).numpy()
    return f.mean(0), np.cov(f, rowvar=False), p


def sqrtm_psd(a):
    w, v = np.linalg.eigh((a + a.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet(m1, c1, m2, c2):
    s1 = sqrtm_psd(c1)
    cross = sqrtm_psd(s1 @ c2 @ s1)
    return float(((m1 - m2) ** 2).sum() + np.trace(c1) + np.trace(c2) - 2 * np.trace(cross))


def score(paths):
    net = classifier()
    ref_m, ref_c, _ = stats(net, idx_images("t10k-images-idx3-ubyte.gz"))
    tr_m, tr_c, _ = stats(net, idx_images("train-images-idx3-ubyte.gz")[:10000])
    print("%-40s %8s %8s %8s" % ("samples", "FD", "top-p", "H(class)"))
    print("%-40s %8.2f %8s %8s" % ("(10,000 training images)", frechet(tr_m, tr_c, ref_m, ref_c), "", ""))
    for p in paths:
        with open(p, "rb") as f:
            rec, _ = decode_one(f.read())
        x = torch.from_numpy(np.array(rec.tensors["images"], np.float32))
        m, c, prob = stats(net, x)
        hist = np.bincount(prob.argmax(1), minlength=10) / len(prob)
        ent = float(-(hist[hist > 0] * np.log(hist[hist > 0])).sum())
        print("%-40s %8.2f %8.3f %8.3f" % (p, frechet(m, c, ref_m, ref_c),
                                           float(prob.max(1).mean()), ent))


def torch_train(model, epochs, out, n=10000, seed=0):
    """The collection's loop: G step then D step per batch of 64, shuffled
    epochs, Adam(2e-4, (0.5, 0.999)); gan and dcgan only."""
    torch.manual_seed(seed)
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    conv = model == "dcgan"
    x = gan_torch.load(32 if conv else 28)
    if conv:
        G, D = gan_torch.DCG(True), gan_torch.DCD(True)
        G.apply(gan_torch.init_normal)
        D.apply(gan_torch.init_normal)
    elif model == "gan":
        G, D = gan_torch.MLPG(), gan_torch.MLPD(True)
    else:
        sys.exit("gan-quality.py torch: gan or dcgan")
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCELoss()
    t0 = time.time()
    for epoch in range(epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            real = x[perm[i:i + 64]]
            b = len(real)
            valid, fake = torch.ones(b, 1), torch.zeros(b, 1)
            opt_g.zero_grad()
            gen = G(torch.randn(b, 100))
            bce(D(gen), valid).backward()
            opt_g.step()
            opt_d.zero_grad()
            ((bce(D(real), valid) + bce(D(gen.detach()), fake)) / 2).backward()
            opt_d.step()
        print("torch %s: epoch %d done, %.0f s" % (model, epoch + 1, time.time() - t0),
              file=sys.stderr)
    G.eval()
    with torch.no_grad():
        imgs = torch.cat([G(torch.randn(500, 100)) for _ in range(n // 500)]).numpy()
    with open(out, "wb") as f:
        f.write(encode([("images", imgs.astype(np.float32))],
                       {"vt.gan.family": model, "source": "PyTorch %s" % torch.__version__},
                       {"images": ["N", "C", "H", "W"]}))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "score":
        score(sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "torch":
        torch_train(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
