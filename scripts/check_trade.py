"""Checks bagel's exports with the readers of the tools they are for (by hand, not CI: both
are heavy installs).

    /tmp/venv/bin/pip install label-studio-sdk fiftyone
    bagel export label-studio P --dataset val tasks.json
    bagel export fiftyone P --dataset val fo
    /tmp/venv/bin/python scripts/check_trade.py tasks.json fo

Label Studio: the labeling config parses, and every task's predictions validate against it
(label-studio-sdk's LabelInterface). FiftyOne: its FiftyOneImageClassificationDatasetImporter
reads every labels file of the folder against data.json.
"""

import json
import os
import sys


def check_label_studio(tasks_path):
    from label_studio_sdk.label_interface import LabelInterface

    config = LabelInterface(open(os.path.splitext(tasks_path)[0] + ".xml").read())
    tasks = json.load(open(tasks_path))
    bad = [t["data"]["file"] for t in tasks
           if not all(config.validate_prediction(p) for p in t["predictions"])]
    print(f"label studio: {len(tasks)} tasks, {len(bad)} with invalid predictions {bad[:3]}")
    return not bad


def check_fiftyone(folder):
    """FiftyOne's own importer reads each labels file against data.json (no database needed;
    load.py then builds the dataset, which needs FiftyOne's MongoDB)."""
    import glob

    import fiftyone.utils.data as foud

    labels = ["labels.json", "panel.json"] + sorted(
        os.path.relpath(p, folder) for p in glob.glob(os.path.join(folder, "predictions", "*.json")))
    ok = True
    for path in labels:
        importer = foud.FiftyOneImageClassificationDatasetImporter(
            dataset_dir=folder, data_path="data.json", labels_path=path)
        with importer:
            samples = list(importer)
        missing = [image for image, _, _ in samples if not os.path.isabs(image)]
        print(f"fiftyone: {path}: {len(samples)} samples read, {len(missing)} without a path")
        ok = ok and not missing
    return ok


def run(check, target, module):
    try:
        __import__(module)
    except ImportError:
        print(f"{module} is not installed: {target} not checked")
        return True
    return check(target)


if __name__ == "__main__":
    ok = run(check_label_studio, sys.argv[1], "label_studio_sdk")
    if len(sys.argv) > 2:
        ok = run(check_fiftyone, sys.argv[2], "fiftyone") and ok
    sys.exit(0 if ok else 1)
