"""How many parameters a returned `.keras` file declares, read before Keras builds it.

Keras allocates every weight while it rebuilds a model from its config, so a 20 KB
file declaring `Dense(2_000_000)` would cost gigabytes before any check looked at it.
This reads the config (and the weights file's dataset shapes) as plain data and adds
up what the common layers declare; the checks process's memory cap covers the rest.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

_NORMALISATION = {"BatchNormalization": 4, "LayerNormalization": 2, "GroupNormalization": 2}
_RECURRENT_GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}
_MAX_CONFIG_BYTES = 4 << 20


def _number(value, default: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return max(int(value), 0)


def _fan_in(layer: dict) -> int:
    shape = (layer.get("build_config") or {}).get("input_shape")
    if isinstance(shape, list) and shape and isinstance(shape[0], list):
        shape = shape[0]
    if isinstance(shape, list) and shape:
        return _number(shape[-1])
    return 1


def _layer_parameters(layer: dict) -> int:
    kind = layer.get("class_name")
    config = layer.get("config") if isinstance(layer.get("config"), dict) else {}
    fan_in = _fan_in(layer)
    if kind == "Dense":
        return (fan_in + 1) * _number(config.get("units"))
    if isinstance(kind, str) and kind.startswith("Conv"):
        size = config.get("kernel_size")
        kernel = math.prod(_number(k) for k in size) if isinstance(size, list) else _number(size)
        filters = _number(config.get("filters"))
        return kernel * fan_in * filters + filters
    if kind == "Embedding":
        return _number(config.get("input_dim")) * _number(config.get("output_dim"))
    if kind in _NORMALISATION:
        return _NORMALISATION[kind] * fan_in
    if kind in _RECURRENT_GATES:
        units = _number(config.get("units"))
        return _RECURRENT_GATES[kind] * (fan_in + units + 1) * units
    if kind == "MultiHeadAttention":
        heads, key = _number(config.get("num_heads")), _number(config.get("key_dim"))
        return 4 * heads * key * (fan_in + 1)
    return 0


def _layers(config, depth: int = 0):
    """Every layer dict in a (possibly nested) model config."""
    if depth > 20:
        return
    if isinstance(config, dict):
        if "class_name" in config:
            yield config
        for value in config.values():
            yield from _layers(value, depth + 1)
    elif isinstance(config, list):
        for value in config:
            yield from _layers(value, depth + 1)


def declared_parameters(path: Path, max_unpacked_bytes: int) -> int:
    """The parameters a `.keras` file declares: the larger of what its config's layers
    say and what its weights file's datasets hold. Raises ValueError if unreadable or
    if it would unpack to more than `max_unpacked_bytes`."""
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(i.file_size for i in archive.infolist()) > max_unpacked_bytes:
                raise ValueError(f"it unpacks to more than {max_unpacked_bytes >> 20} MB")
            info = archive.getinfo("config.json")
            if info.file_size > _MAX_CONFIG_BYTES:
                raise ValueError("its config is over 4 MB")
            config = json.loads(archive.read(info))
            in_config = sum(_layer_parameters(layer) for layer in _layers(config))
            in_weights = _weights_declared(archive)
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a readable .keras file ({exc})") from None
    return max(in_config, in_weights)


def _weights_declared(archive: zipfile.ZipFile) -> int:
    """Elements in the weights file's datasets, from their declared shapes (no data read)."""
    try:
        info = archive.getinfo("model.weights.h5")
    except KeyError:
        return 0
    import io

    import h5py

    total = 0
    with h5py.File(io.BytesIO(archive.read(info)), "r") as weights:

        def count(_name, item):
            nonlocal total
            if isinstance(item, h5py.Dataset):
                total += math.prod(item.shape or (1,))

        weights.visititems(count)
    return total
