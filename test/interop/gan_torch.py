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

except ImportError:
    print("gan_torch: torch not installed (python3-torch): skipped")
    h.finish()

torch.set_num_threads(1)
DATA = "configs/data/fashion-mnist-16.safetensors"


def _bench_networks():
    """The collection's networks, as the benchmark defines them
    (scripts/bench/gan_torch.py; loaded by path, this file has its name)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "vt_bench_gan_torch", os.path.join("scripts", "bench", "gan_torch.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


nets = _bench_networks()
MLPG, MLPD, DCG, DCD = nets.MLPG, nets.MLPD, nets.DCG, nets.DCD


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
