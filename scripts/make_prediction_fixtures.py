"""Writes tests/fixtures/predictions/: one model's predictions on six images, saved every way
researchers save them, with the real libraries, and the .npy of the same logits that every
format must reproduce (tests/formats.rs).

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install timm pandas pyarrow safetensors
    /tmp/venv/bin/python scripts/make_prediction_fixtures.py PATH/TO/timm/inference.py

Made with timm 1.0.31 (inference.py of timm's main branch at aa4b5850), torch 2.15.0,
numpy 2.4.6, pandas 3.1.1, pyarrow 26.0.1, safetensors 0.8.0 (Python 3.11, CPU).
The model is a resnet18 with seeded random weights, so the files are small and reproducible;
the labels of the six images are chosen from its predictions so that top-1 and top-5 are
neither 0 nor 1. transformers is not installed: the Hugging Face file is written in the layout
`pipeline("image-classification")` returns (a list of {label, score} per image, best first,
labels as ImageNet models' id2label name them).
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import safetensors.numpy
import timm
import torch
from PIL import Image
from timm.data import ImageNetInfo

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "predictions")
NAMES = [f"ILSVRC2012_val_{i:08d}.JPEG" for i in range(1, 7)]


def images(folder):
    rng = np.random.default_rng(7)
    for name in NAMES:
        pixels = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(os.path.join(folder, name))


def run_timm(inference, folder, checkpoint, results, *options):
    command = [sys.executable, inference, folder, "--model", "resnet18", "--checkpoint",
               checkpoint, "--device", "cpu", "--workers", "0", "--no-console-results",
               "--results-file", os.path.join(OUT, results), *options]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


TIMM_RUNS = [
    ("timm_index.csv", "--include-index", "--topk", "5"),
    ("timm_index_separate.csv", "--include-index", "--topk", "5", "--results-separate-col"),
    ("timm_index.json", "--include-index", "--topk", "5", "--results-format", "json"),
    ("timm_index_split.json", "--include-index", "--topk", "5", "--results-format", "json-split"),
    # inference.py's "json-record" writes CSV into a .json file ("json-records" is not in its
    # extension table and fails): read as it is.
    ("timm_index_record.json", "--include-index", "--topk", "5", "--results-format", "json-record"),
    ("timm_index.parquet", "--include-index", "--topk", "5", "--results-format", "parquet"),
    ("timm_description.csv", "--topk", "5"),
    ("timm_wnid.csv", "--topk", "5", "--label-type", "name"),
    ("timm_detailed.json", "--topk", "5", "--label-type", "detailed", "--results-format", "json"),
    ("timm_top1.csv",),
    ("timm_all_probs.csv", "--topk", "0"),
    ("timm_all_logits_separate.csv", "--topk", "0", "--output-type", "logit", "--results-separate-col"),
    ("timm_all_logits.parquet", "--topk", "0", "--output-type", "logit", "--results-format", "parquet"),
    ("timm_custom_columns.csv", "--include-index", "--topk", "5", "--filename-col", "image_id",
     "--index-col", "cls"),
]


def main(inference):
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    model = timm.create_model("resnet18", pretrained=False).eval()
    with tempfile.TemporaryDirectory() as work:
        checkpoint = os.path.join(work, "resnet18_seeded.pth")
        torch.save(model.state_dict(), checkpoint)
        folder = os.path.join(work, "images")
        os.makedirs(folder)
        images(folder)
        for results, *options in TIMM_RUNS:
            run_timm(inference, folder, checkpoint, results, *options)
    logits = pd.read_parquet(os.path.join(OUT, "timm_all_logits.parquet"))
    names = list(logits.index)
    values = np.stack(logits["logit"].to_numpy()).astype(np.float32)
    order = [names.index(n) for n in NAMES]
    values = values[order]
    np.save(os.path.join(OUT, "logits.npy"), values)
    write_others(values)
    write_images_csv(values)


def write_others(values):
    shuffled = [3, 0, 5, 1, 4, 2]
    tensor = torch.from_numpy(values)
    torch.save(tensor, os.path.join(OUT, "logits_tensor.pt"))
    torch.save({"logits": tensor[shuffled], "filenames": [NAMES[i] for i in shuffled]},
               os.path.join(OUT, "logits_named_shuffled.pth"))
    top5 = tensor.topk(5).indices
    torch.save({"class_ids": top5, "filenames": NAMES}, os.path.join(OUT, "top5_ids.pt"))
    safetensors.numpy.save_file({"logits": values[shuffled]},
                                os.path.join(OUT, "logits_named_shuffled.safetensors"),
                                metadata={"filenames": json.dumps([NAMES[i] for i in shuffled])})
    np.savez(os.path.join(OUT, "logits_named_shuffled.npz"), logits=values[shuffled],
             filenames=np.array([NAMES[i] for i in shuffled]))
    info = ImageNetInfo()
    wnids = info.label_names()
    probs = torch.softmax(tensor, -1).numpy()
    wide = pd.DataFrame(probs, columns=wnids, index=pd.Index(NAMES))
    wide.to_csv(os.path.join(OUT, "wide_wnids.csv"))
    pd.DataFrame(probs).to_csv(os.path.join(OUT, "wide_indices.csv"))
    top = torch.softmax(tensor, -1).topk(5)
    pipeline = [[{"label": info.index_to_description(int(i)), "score": float(s)}
                 for s, i in zip(scores, ids)] for scores, ids in zip(top.values, top.indices)]
    with open(os.path.join(OUT, "hf_pipeline.jsonl"), "w") as out:
        for name, result in zip(NAMES, pipeline):
            out.write(json.dumps({"file": name, "predictions": result}) + "\n")


def write_images_csv(values):
    """Labels: top-1 for images 1-3, top-2 for image 4, top-5 for 5, a class outside the
    top-5 for 6: top-1 0.5, top-5 5/6."""
    ranked = np.argsort(-values, axis=1)
    labels = [ranked[0, 0], ranked[1, 0], ranked[2, 0], ranked[3, 1], ranked[4, 4], ranked[5, 9]]
    with open(os.path.join(OUT, "images.csv"), "w") as out:
        out.write("file,label\n")
        for name, label in zip(NAMES, labels):
            out.write(f"{name},{label}\n")


if __name__ == "__main__":
    main(sys.argv[1])
