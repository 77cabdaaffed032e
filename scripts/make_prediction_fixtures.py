"""Writes tests/fixtures/predictions/: one model's predictions on six images, saved every way
researchers save them, with the real libraries, and the .npy of the same logits that every
format must reproduce (tests/formats.rs).

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install timm pandas pyarrow safetensors
    /tmp/venv/bin/python scripts/make_prediction_fixtures.py PATH/TO/timm/inference.py

The Feather/Arrow files alone, from the fixtures' logits.npy and timm's Parquet files, need
pandas and pyarrow only:

    /tmp/venv/bin/python scripts/make_prediction_fixtures.py --arrow-only

Made with timm 1.0.31 (inference.py of timm's main branch at aa4b5850), torch 2.15.0,
numpy 2.4.6, pandas 3.1.1, pyarrow 26.0.1, safetensors 0.8.0 (Python 3.11, CPU); the
Feather/Arrow files with numpy 2.4.6, pandas 3.1.1 and pyarrow 26.0.1 (`--arrow-only`).
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
import pyarrow as pa
import pyarrow.feather

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "predictions")
NAMES = [f"ILSVRC2012_val_{i:08d}.JPEG" for i in range(1, 7)]


def images(folder):
    from PIL import Image

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
    import timm
    import torch

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
    write_arrow(values)
    write_images_csv(values)


def write_others(values):
    import safetensors.numpy
    import torch
    from timm.data import ImageNetInfo

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


def write_arrow(values):
    """Feather v2 / Arrow IPC tables as researchers save them: timm's parquet results moved
    to Feather the pandas way (to_feather needs a default index: reset_index), lz4 (the
    default) and zstd; a pyarrow table with per-rank columns as an IPC file (uncompressed) and
    as an IPC stream; and a table whose columns name no file, class or score."""
    index = pd.read_parquet(os.path.join(OUT, "timm_index.parquet")).reset_index()
    index.to_feather(os.path.join(OUT, "timm_index.feather"))
    logits = pd.read_parquet(os.path.join(OUT, "timm_all_logits.parquet")).reset_index()
    logits.to_feather(os.path.join(OUT, "timm_all_logits_zstd.feather"), compression="zstd")
    shuffled = [3, 0, 5, 1, 4, 2]
    ranked = np.argsort(-values, axis=1)[:, :5]
    probs = np.exp(values - values.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    columns = {"filename": pa.array([NAMES[i] for i in shuffled])}
    for rank in range(5):
        columns[f"index_{rank}"] = pa.array(ranked[shuffled, rank].astype(np.int64))
    for rank in range(5):
        top = np.take_along_axis(probs, ranked[:, rank:rank + 1], axis=1)[:, 0]
        columns[f"prob_{rank}"] = pa.array(top[shuffled].astype(np.float32))
    table = pa.table(columns)
    pyarrow.feather.write_feather(table, os.path.join(OUT, "per_rank_shuffled.arrow"),
                                  compression="uncompressed")
    with pa.OSFile(os.path.join(OUT, "per_rank_shuffled.arrows"), "wb") as sink:
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
    wrong = pd.DataFrame({"image": NAMES, "confidence": probs.max(axis=1).astype(np.float32)})
    wrong.to_feather(os.path.join(OUT, "wrong_columns.feather"))


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
    if sys.argv[1] == "--arrow-only":
        write_arrow(np.load(os.path.join(OUT, "logits.npy")))
    else:
        main(sys.argv[1])
