"""The parameter-count search that fixes the layer sizes the paper leaves open.

What the paper fixes (Section 3.B, Table II, Figure 5 caption): 16 input features shaped
(16, 1), 5 output classes, the OM has "7 layers" and 26,365 parameters, the POM "five layers (a
Convolution1D layer, MaxPooling1D layer, Flatten layer, and an output layer)" and 645
parameters. It names no filter count, kernel size, hidden width or padding.

How we read "layers": a tf_keras functional model's ``summary()`` lists its ``InputLayer`` as a
row, so the POM's four named layers plus the input are the "five layers", and the OM's seven
rows are the input plus six layers. Every argument the text does not name is kept at its Keras
default (``padding='valid'``, ``MaxPooling1D(pool_size=2)``), activations are ReLU with a
softmax output.

POM search: Input(16, 1) -> Conv1D(f, k) -> MaxPooling1D(2) -> Flatten -> Dense(5); parameters
``f*(k+1) + 5*f*floor((16-k+1)/2) + 5``. Over f in 1..256 and k in 1..16 two pairs give exactly
645: f = 20, k = 6 (Conv1D 140 + Dense 505) and f = 32, k = 14 (a kernel spanning 14 of the 16
features, pooled to a single position: a dense layer in disguise). We take the smaller kernel,
the one that actually slides along the features: **f = 20, k = 6**. (Allowing 'same' padding or
pool sizes 3-4 gives 16 more matches; see :func:`search_pom` with ``keras_defaults=False``.)

OM search: the paper says the POM was obtained by narrowing the OM down, so the OM is the POM
with a hidden Dense layer and a Dropout layer before the output (six layers + input):
Input(16, 1) -> Conv1D(f, k) -> MaxPooling1D(2) -> Flatten -> Dense(h) -> Dropout -> Dense(5);
parameters ``f*(k+1) + (f*L+1)*h + 5*h + 5`` with ``L = floor((16-k+1)/2)``. Over f, h in
1..256 and k in 1..16 there are 6 exact matches for 26,365; keeping the POM's 20 filters leaves
exactly one: **f = 20, k = 3, h = 180** (Conv1D 80 + Dense 25,380 + Dense 905). Other six-layer
shapes (two Conv1D, two hidden Dense) have thousands of exact matches each, so the count alone
cannot identify the authors' OM; ours matches the count, the layer total and the POM lineage.

Both counts are checked by building the models (:mod:`tinyids.idrissi2022.models`) and in the
unit tests; the rule ``idrissi2022_architecture`` writes the full search table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


def conv_len(n: int, kernel: int, padding: str = "valid") -> int:
    return n if padding == "same" else n - kernel + 1


def pool_len(n: int, pool: int, padding: str = "valid") -> int:
    if padding == "same":
        return -(-n // pool)
    return (n - pool) // pool + 1 if n >= pool else 0


def pom_params(n_features: int, filters: int, kernel: int, n_classes: int = 5, pool: int = 2,
               conv_padding: str = "valid", pool_padding: str = "valid") -> int:
    """Parameters of Input -> Conv1D -> MaxPooling1D -> Flatten -> Dense(n_classes)."""
    length = pool_len(conv_len(n_features, kernel, conv_padding), pool, pool_padding)
    if length <= 0:
        return -1
    return filters * (kernel + 1) + n_classes * filters * length + n_classes


def om_params(n_features: int, filters: int, kernel: int, units: int, n_classes: int = 5, pool: int = 2) -> int:
    """Parameters of Input -> Conv1D -> MaxPooling1D -> Flatten -> Dense(units) -> Dropout -> Dense."""
    length = pool_len(conv_len(n_features, kernel), pool)
    if length <= 0:
        return -1
    flat = filters * length
    return filters * (kernel + 1) + (flat + 1) * units + (units + 1) * n_classes


@dataclass(frozen=True)
class Match:
    model: str
    n_features: int
    filters: int
    kernel_size: int
    units: int | None
    pool_size: int
    conv_padding: str
    pool_padding: str
    params: int


def search_pom(target: int, n_features: int = 16, n_classes: int = 5, max_filters: int = 256,
               keras_defaults: bool = True) -> list[Match]:
    """Every POM shape with exactly ``target`` parameters."""
    paddings = ("valid",) if keras_defaults else ("valid", "same")
    pools = (2,) if keras_defaults else (2, 3, 4)
    out = []
    for conv_padding in paddings:
        for pool_padding in paddings:
            for pool in pools:
                for kernel in range(1, n_features + 1):
                    for filters in range(1, max_filters + 1):
                        p = pom_params(n_features, filters, kernel, n_classes, pool, conv_padding, pool_padding)
                        if p == target:
                            out.append(Match("POM", n_features, filters, kernel, None, pool, conv_padding, pool_padding, p))
    return out


def search_om(target: int, n_features: int = 16, n_classes: int = 5, max_filters: int = 256,
              max_units: int = 256) -> list[Match]:
    """Every OM shape (POM + hidden Dense + Dropout, Keras defaults) with ``target`` parameters."""
    return list(_om_matches(target, n_features, n_classes, max_filters, max_units))


def _om_matches(target: int, n_features: int, n_classes: int, max_filters: int, max_units: int) -> Iterator[Match]:
    for kernel in range(1, n_features + 1):
        length = pool_len(conv_len(n_features, kernel), 2)
        if length <= 0:
            continue
        for filters in range(1, max_filters + 1):
            rest = target - filters * (kernel + 1) - n_classes
            per_unit = filters * length + 1 + n_classes
            if rest > 0 and rest % per_unit == 0 and rest // per_unit <= max_units:
                units = rest // per_unit
                yield Match("OM", n_features, filters, kernel, units, 2, "valid", "valid", target)


def choose(om_target: int, pom_target: int, n_features: int = 16, n_classes: int = 5,
           max_filters: int = 256, max_units: int = 256) -> dict[str, Match | None]:
    """The documented choice: the Keras-default POM with the smallest kernel, then the OM
    sharing its filter count (None where the rule leaves no single candidate)."""
    poms = sorted(search_pom(pom_target, n_features, n_classes, max_filters, keras_defaults=True),
                  key=lambda m: (m.kernel_size, m.filters))
    pom = poms[0] if poms else None
    oms = search_om(om_target, n_features, n_classes, max_filters, max_units)
    same_filters = [m for m in oms if pom is not None and m.filters == pom.filters]
    om = same_filters[0] if len(same_filters) == 1 else None
    return {"POM": pom, "OM": om}


def search_table(om_target: int, pom_target: int, n_features: int = 16, n_classes: int = 5,
                 max_filters: int = 256, max_units: int = 256):
    """All matches (POM with and without Keras defaults, OM) with a ``chosen`` flag, as a DataFrame."""
    import pandas as pd

    chosen = choose(om_target, pom_target, n_features, n_classes, max_filters, max_units)
    rows = []
    defaults = set(search_pom(pom_target, n_features, n_classes, max_filters, keras_defaults=True))
    for m in search_pom(pom_target, n_features, n_classes, max_filters, keras_defaults=False):
        rows.append({**m.__dict__, "keras_defaults": m in defaults, "chosen": m == chosen["POM"]})
    for m in search_om(om_target, n_features, n_classes, max_filters, max_units):
        rows.append({**m.__dict__, "keras_defaults": True, "chosen": m == chosen["OM"]})
    return pd.DataFrame(rows)
