"""Interop: gan-train checkpoints load into the PyTorch-GAN collection's
networks (strict state_dict: the names, shapes and buffers are PyTorch's),
and gan-sample's images equal the PyTorch generator's on the same latent
vectors (eval mode, float32).

Run by test/interop/run from the repository root with VT_BIN set.  Skipped
(counted as passed, with a note) when torch is missing.
"""
import os

import numpy as np

from _st import Harness, check, decode_one

h = Harness("gan_torch")
try:
    import torch
    import torch.nn as nn
except ImportError:
    print("gan_torch: torch not installed (python3-torch): skipped")
    h.finish()

torch.set_num_threads(1)
DATA = "configs/data/fashion-mnist-16.safetensors"


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
        self.model = nn.Sequential(*(layers + ([nn.Sigmoid()] if sigmoid else [])))


class DCG(nn.Module):
    def __init__(self, first_bn):
        super().__init__()
        self.l1 = nn.Sequential(nn.Linear(100, 128 * 8 * 8))
        self.conv_blocks = nn.Sequential(
            *([nn.BatchNorm2d(128)] if first_bn else []),
            nn.Upsample(scale_factor=2), nn.Conv2d(128, 128, 3, 1, 1),
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
            return [nn.Conv2d(a, b, 3, 2, 1), nn.LeakyReLU(0.2),
                    nn.Dropout2d(0.25)] + ([nn.BatchNorm2d(b, 0.8)] if bn else [])
        self.model = nn.Sequential(*block(1, 16, False), *block(16, 32),
                                   *block(32, 64), *block(64, 128))
        self.adv_layer = nn.Sequential(nn.Linear(512, 1),
                                       *([nn.Sigmoid()] if sigmoid else []))


NETS = {
    "gan": (lambda: MLPG(), lambda: MLPD(True)),
    "wgan_gp": (lambda: MLPG(), lambda: MLPD(False)),
    "dcgan": (lambda: DCG(True), lambda: DCD(True)),
    "lsgan": (lambda: DCG(False), lambda: DCD(False)),
}


def state(rec, prefix):
    return {k[len(prefix):]: torch.from_numpy(np.array(v))
            for k, v in rec.tensors.items() if k.startswith(prefix)}


def family(model):
    def case():
        run = os.path.join(h.tmp, model)
        h.run("gan-train", "-q", "--model", model, "--data", DATA, "--batch",
              "4", "--iters", "3", "--sample-every", "0", "--out", run)
        with open(os.path.join(run, "checkpoint.safetensors"), "rb") as f:
            rec, _ = decode_one(f.read())
        G, D = NETS[model][0](), NETS[model][1]()
        # strict: every parameter and buffer by PyTorch's own name
        G.load_state_dict(state(rec, "G."), strict=True)
        D.load_state_dict(state(rec, "D."), strict=True)
        check(int(rec.metadata["vt.gan.step"]) == 3, "step %s" % rec.metadata["vt.gan.step"])
        z = np.random.default_rng(5).standard_normal((6, 100)).astype(np.float32)
        np.save(os.path.join(h.tmp, "z.npy"), z)
        out = os.path.join(h.tmp, model + ".safetensors")
        h.run("gan-sample", "--checkpoint", os.path.join(run, "checkpoint.safetensors"),
              "--latent", os.path.join(h.tmp, "z.npy"), "-o", out)
        with open(out, "rb") as f:
            img, _ = decode_one(f.read())
        G.eval()
        with torch.no_grad():
            ref = G(torch.from_numpy(z)).numpy()
        got = img.tensors["images"]
        check(got.shape == ref.shape, "shape %s vs %s" % (got.shape, ref.shape))
        d = float(np.abs(got - ref).max())
        check(d <= 1e-5, "max |vt - torch| %.3g" % d)
        print("gan_torch: %s: checkpoint loads strictly into PyTorch; gan-sample "
              "vs PyTorch eval max |diff| %.2g" % (model, d))
    case.__name__ = model
    return case


for m in NETS:
    h.case(family(m))
h.finish()
