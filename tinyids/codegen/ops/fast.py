"""The ``fast`` kernels: FULLY_CONNECTED and CONV_2D (optionally fused with the MAX_POOL_2D that
reads it) specialised at generation time, bit-exact with the ``reference`` kernels.

What the generator knows and bakes into straight-line C:

* every size, stride, padding and zero point: the loops are unrolled into one expression per
  output, each input read at a constant offset (``x[12]``), each weight a literal; where every
  output position of a CONV_2D repeats the first with the input shifted by one stride (VALID),
  one loop walks the input pointer over the positions and the weights stay literals (held
  across positions) -- same cycles, a fraction of the flash;
* zero weights (pruned models) are skipped: they add nothing to the integer sum;
* the input offset of every tap inside the input is folded into a per-output constant
  (``bias + in_offset * sum(w)``, an integer identity), taps in the padding are dropped, as
  TFLite's kernel skips them;
* products are summed in C ``int`` (16 bits on AVR) in groups whose bound
  (``sum |w| * 128``) stays within 32767, then widened once per group;
* the requantization of a channel whose accumulators between the saturation thresholds span
  at most 2^16 values is ``tinyids_rq16_int8`` (``kernels/tinyids_rq16.h``: two 16 x 16 bit
  products, every constant a literal, every shift a constant; proved there, and
  :func:`tinyids.codegen.requant.rq16` evaluates it on every accumulator of the range against
  TFLite's arithmetic before it is emitted), up to 2^24 (up to 2^20 checked one by one) is
  ``tinyids_rq24_int8`` (the same with four products) -- both inlined with literal constants, so
  only where an operator has at most :data:`INLINE_SITES` requantization sites (a looped
  layer has one per channel); the others use ``tinyids_rq32_int8`` (32-bit only,
  proved and tested in ``kernels/tinyids_rq32.h``) with per-channel parameters that
  :mod:`tinyids.codegen.requant` computes from the bound on each accumulator; two partial
  products instead of four where the bound allows it; the accumulators whose output saturates
  (found exactly here by a binary search with TFLite's arithmetic) skip the multiply, so a RELU
  layer pays for it only on its positive outputs;
* CONV_2D + MAX_POOL_2D: the requantization is non-decreasing in the accumulator (a
  multiplier >= 0) and so are the clamps, so max then requantize equals requantize then max;
  the pool's maximum is taken over int32 accumulators and only the conv positions a pool
  window reads are computed.

SOFTMAX (:func:`softmax`, called by ``ops/softmax.py`` in this variant) reads the reference
kernel's exp table with ``tinyids_softmax_fast`` (``kernels/tinyids_softmax_fast.h``): the same
arithmetic without 64-bit operations (exact 32 x 32-bit products, the two final roundings
folded into one), equal to ``tinyids_softmax`` on every input.

An operator whose unrolled form would exceed ``unroll_limit`` multiply-accumulates, or whose
bound does not fit the 32-bit form, is emitted with the reference kernel (the emitters
return False and the caller falls back); the generated header says which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinyids.codegen import fixedpoint as fx
from tinyids.codegen import requant
from tinyids.codegen.cformat import i32_literal
from tinyids.codegen.model import Operator
from tinyids.codegen.ops import common

if TYPE_CHECKING:
    from tinyids.codegen.emit import Emitter

GROUP_BOUND = 32767  # C int holds at least this


def _bound(const: int, ws: np.ndarray) -> int:
    """max |const + sum w_i x_i| over int8 inputs x_i in [-128, 127]."""
    pos = ws[ws > 0].astype(np.int64)
    neg = -ws[ws < 0].astype(np.int64)
    hi = const + 127 * int(pos.sum()) + 128 * int(neg.sum())
    lo = const - 128 * int(pos.sum()) - 127 * int(neg.sum())
    return max(abs(hi), abs(lo))


def _sum_expr(const: int, taps: list[tuple[int, int]], xname: str = "x") -> str:
    """``const + sum w * x[i]`` with products summed in C int groups of bounded magnitude."""
    groups: list[list[tuple[int, int]]] = []
    cur: list[tuple[int, int]] = []
    total = 0
    for w, i in taps:
        if cur and total + 128 * abs(w) > GROUP_BOUND:
            groups.append(cur)
            cur, total = [], 0
        cur.append((w, i))
        total += 128 * abs(w)
    if cur:
        groups.append(cur)
    parts = [i32_literal(const)]
    for g in groups:
        s = ""
        for n, (w, i) in enumerate(g):
            if n == 0:
                s = f"{w} * {xname}[{i}]"
            else:
                s += f" {'-' if w < 0 else '+'} {abs(w)} * {xname}[{i}]"
        parts.append(f"(int32_t)({s})")
    return " + ".join(parts)


class _Requant:
    """Per-channel ``tinyids_rq32`` parameters; a channel whose weights are all zero has a
    constant accumulator (its bias), so its output is computed here with TFLite's arithmetic
    (:func:`tinyids.codegen.fixedpoint.mbqm`) and written as a literal."""

    def __init__(self, table: str, constant: dict[int, int], inline: dict[int, str] | None = None,
                 offset: dict[int, int] | None = None):
        self.table = table
        self.constant = constant
        self.inline = inline or {}  # channel -> its tinyids_rq16_int8 call, "{acc}" for the accumulator
        self.offset = offset or {}  # channel -> its first word in the table


WORDS = 9  # TINYIDS_RQ32_INT8_WORDS
# the inlined requantization forms cost flash per call site (about 100 bytes on AVR against a
# call with a table pointer): an operator with more requantization sites than this (an unrolled
# layer, not a looped one) keeps the table-driven tinyids_rq32_int8
INLINE_SITES = 64


def _saturation(m: int, s: int, rounding: str, zp: int, lo: int, hi: int, bound: int) -> tuple[int, int]:
    """(a_lo, a_hi): the largest accumulator in [-bound, bound] whose output
    clamp(mbqm(acc) + zp, lo, hi) is lo (-bound - 1 when none) and the smallest whose output
    is hi (bound + 1 when none); the output is non-decreasing in the accumulator (m >= 0), so a
    binary search with TFLite's arithmetic finds them exactly."""
    def out(a: int) -> int:
        return fx.mbqm(a, m, s, rounding) + zp

    if out(-bound) > lo:
        a_lo = -bound - 1
    else:
        left, right = -bound, bound  # out(left) <= lo
        if out(right) <= lo:
            left = right
        while right - left > 1:
            mid = (left + right) // 2
            if out(mid) <= lo:
                left = mid
            else:
                right = mid
        a_lo = left
    if out(bound) < hi:
        a_hi = bound + 1
    else:
        left, right = -bound, bound  # out(right) >= hi
        if out(left) >= hi:
            right = left
        while right - left > 1:
            mid = (left + right) // 2
            if out(mid) >= hi:
                right = mid
            else:
                left = mid
        a_hi = right
    return a_lo, a_hi


def _rq_table(em: Emitter, op: Operator, s_in: float, w, s_out: float, channels: int, rounding: str,
              bounds: list[int], constants: dict[int, int], zp: int, lo: int, hi: int, *,
              inline_ok: bool = True) -> _Requant | None:
    """``constants``: channel -> its constant accumulator (all weights zero). None when some
    other channel's bound or shift does not fit the 32-bit form. [lo, hi]: the output range
    (the activation, or the fused pool's range within it). ``inline_ok``: the inlined forms
    (``tinyids_rq16_int8``, ``tinyids_rq24_int8``) may be used (see :data:`INLINE_SITES`)."""
    per_channel = len(w.scales) > 1
    words: list[int] = []
    const_out: dict[int, int] = {}
    inline: dict[int, str] = {}
    offset: dict[int, int] = {}
    packed = (lo & 0xFF) | ((hi & 0xFF) << 8) | ((zp & 0xFF) << 16)
    for c in range(channels):
        scale_w = w.scales[c] if per_channel else w.scales[0]
        m, s = fx.quantize_multiplier(float(s_in) * float(scale_w) / float(s_out))
        if not common.SHIFT_RANGE[0] <= s <= common.SHIFT_RANGE[1]:
            return None
        if c in constants:
            const_out[c] = fx.mbqm(constants[c], m, s, rounding)
            continue
        a_lo, a_hi = _saturation(m, s, rounding, zp, lo, hi, bounds[c])
        # only accumulators strictly between the two thresholds reach the multiply
        if a_lo + 1 > a_hi - 1:  # every accumulator saturates: the multiply is never reached
            offset[c] = len(words)
            words += [0] * (WORDS - 3) + [a_lo, a_hi, requant._s32(packed)]
            continue
        x_lo, x_hi = max(a_lo + 1, -bounds[c]), min(a_hi - 1, bounds[c])
        q = requant.rq16(m, s, rounding, x_lo, x_hi, zp) if inline_ok else None
        if q is not None:  # the narrow form, checked on every accumulator of [x_lo, x_hi]
            inline[c] = (f"tinyids_rq16_int8({{acc}}, {i32_literal(a_lo)}, {i32_literal(a_hi)}, {lo}, {hi}, "
                         f"{i32_literal(q.xc)}, {i32_literal(q.xs)}, {q.ml}u, {q.mh}, {i32_literal(q.kh0)}, "
                         f"{q.kl0}u, {i32_literal(q.kh1)}, {q.kl1}u, {q.r})")
            continue
        q24 = requant.rq24(m, s, rounding, x_lo, x_hi, zp) if inline_ok else None
        if q24 is not None:  # the same with four products, checked the same way
            inline[c] = (f"tinyids_rq24_int8({{acc}}, {i32_literal(a_lo)}, {i32_literal(a_hi)}, {lo}, {hi}, "
                         f"{i32_literal(q24.xc)}, {i32_literal(q24.xs)}, {q24.ml}u, {q24.mh}, "
                         f"{i32_literal(q24.kh0)}, {q24.k10}u, {q24.k00}u, {i32_literal(q24.kh1)}, {q24.k11}u, "
                         f"{q24.k01}u, {q24.r})")
            continue
        p = requant.params(m, s, rounding, bounds[c], lo=x_lo, hi=x_hi)
        if p is None:
            return None
        offset[c] = len(words)
        words += p.words() + [a_lo, a_hi, requant._s32(packed)]
    if not words:  # no output reads the table
        return _Requant("", const_out, inline, offset)
    table = em.consts.array("int32_t", words, f"{op.name} {op.index} requantization (tinyids_rq32_int8: "
                            "m, C, C', k|b|narrow, a_lo, a_hi, lo|hi|zero point)")
    return _Requant(table, const_out, inline, offset)


def _block(em: Emitter, head: str, src: str, dst: str, body: list[str]) -> str:
    """The operator's block with only the locals its body uses (``-Werror`` on unused ones)."""
    text = "\n".join(body)
    lines = [head, "    {"]
    if "x[" in text:
        lines.append(f"        const int8_t *x = {src};")
    lines.append(f"        int8_t *y = {dst};")
    if "acc" in text:
        lines.append("        int32_t acc;")
    if "best" in text:
        lines.append("        int32_t best;")
    if "tinyids_rq32_int8" in text:
        em.kernel("rq32")
    if "tinyids_rq16_int8" in text or "tinyids_rq24_int8" in text:
        em.kernel("rq16")
    return "\n".join(lines + body + ["    }"])


def _clamped(v: int, clamps: list[tuple[int, int]]) -> int:
    for lo, hi in clamps:
        v = lo if v < lo else (hi if v > hi else v)
    return v


def _range(clamps: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The output range of the clamps applied in turn; None when it is a single value (the
    ranges do not overlap) -- then every output is that constant."""
    lo, hi = clamps[0]
    for a, b in clamps[1:]:
        if b < lo or a > hi:
            return None
        lo, hi = max(lo, a), min(hi, b)
    return lo, hi


def _store(dst_expr: str, acc: str, rq: _Requant, ch: int, zp: int, clamps: list[tuple[int, int]]) -> str:
    if ch in rq.constant:
        return f"        {dst_expr} = {_clamped(rq.constant[ch] + zp, clamps)}; /* all weights zero */"
    if ch in rq.inline:
        return f"        {dst_expr} = {rq.inline[ch].format(acc=acc)};"
    return f"        {dst_expr} = tinyids_rq32_int8({acc}, {rq.table} + {rq.offset[ch]});"


def fully_connected(em: Emitter, op: Operator, src: str, dst: str, limit: int) -> bool:
    tin = common.require_int8(em, op, op.inputs[0], "input")
    tout = common.require_int8(em, op, op.outputs[0], "output")
    wt = em.t(op.inputs[1])
    if op.options.get("weights_format", 0) != 0 or len(wt.shape) != 2:
        return False
    units, depth = wt.shape
    w = common.weights(em, op, op.inputs[1], units, 0)
    if tin.size % depth or tout.size != (tin.size // depth) * units:
        return False
    batches = tin.size // depth
    W = w.data.reshape(units, depth).astype(np.int64)
    nnz = int(np.count_nonzero(W))
    if nnz * batches > limit:
        return False
    bias_index = op.inputs[2] if len(op.inputs) > 2 else -1
    bias = (common._bias_values(em, op, bias_index, units).astype(np.int64).reshape(-1) if bias_index >= 0
            else np.zeros(units, np.int64))
    const = bias - tin.zero_point * W.sum(axis=1)
    if np.any(np.abs(const) > fx.INT32_MAX):
        return False
    bounds = [_bound(int(const[u]), W[u]) for u in range(units)]
    if max(bounds) >= fx.INT32_MAX:
        return False
    zero = {u: int(const[u]) for u in range(units) if not W[u].any()}
    lo, hi = common.activation(op, tout)
    table = _rq_table(em, op, tin.scale, w, tout.scale, units, "single", bounds, zero, tout.zero_point, lo, hi,
                      inline_ok=units - len(zero) <= INLINE_SITES)
    if table is None:
        return False
    lines = []
    for u in range(units):
        taps = [(int(W[u, d]), d) for d in range(depth) if W[u, d] != 0]
        if u not in zero:
            lines.append(f"        acc = {_sum_expr(int(const[u]), taps)};")
        lines.append(_store(f"y[{u}]", "acc", table, u, tout.zero_point, [(lo, hi)]))
    if batches > 1:
        em.need_k = True
        step = f", x += {depth}" if any("x[" in ln for ln in lines) else ""
        lines = [f"        for (k = 0; k < {batches}; ++k{step}, y += {units}) {{", *lines, "        }"]
    head = f"    /* fast: {units} outputs unrolled, {nnz} of {units * depth} weights non-zero */"
    em.calls.append(_block(em, head, src, dst, lines))
    return True


def _conv_geometry(em: Emitter, op: Operator):
    o = op.options
    tin = em.t(op.inputs[0])
    tout = em.t(op.outputs[0])
    b, ih, iw, ic = common.shape4(tin.shape, f"CONV_2D {op.index} input")
    ob, oh, ow, oc = common.shape4(tout.shape, f"CONV_2D {op.index} output")
    wt = em.t(op.inputs[1])
    foc, fh, fw, fic = common.shape4(wt.shape, f"CONV_2D {op.index} filter")
    pad_h = common.padding(o["padding"], ih, fh, o["stride_h"], o["dilation_h"], oh)
    pad_w = common.padding(o["padding"], iw, fw, o["stride_w"], o["dilation_w"], ow)
    return (b, ih, iw, ic), (ob, oh, ow, oc), (fh, fw, fic), pad_h, pad_w


def conv_2d(em: Emitter, op: Operator, src: str, dst: str, limit: int, pool: Operator | None = None) -> bool:
    """CONV_2D unrolled; with ``pool`` (a MAX_POOL_2D reading only this conv's output, same
    quantization, channels last), the pool is fused and ``dst`` is the pool's output."""
    o = op.options
    if o.get("quantized_bias_type", 0) not in (0,):
        return False
    tin = common.require_int8(em, op, op.inputs[0], "input")
    tout = common.require_int8(em, op, op.outputs[0], "output")
    (b, ih, iw, ic), (ob, oh, ow, oc), (fh, fw, fic), pad_h, pad_w = _conv_geometry(em, op)
    if fic != ic or ob != b:
        return False
    w = common.weights(em, op, op.inputs[1], oc, 0)
    W = w.data.reshape(oc, fh, fw, ic).astype(np.int64)
    bias_index = op.inputs[2] if len(op.inputs) > 2 else -1
    bias = (common._bias_values(em, op, bias_index, oc).astype(np.int64).reshape(-1) if bias_index >= 0
            else np.zeros(oc, np.int64))
    sh, sw, dh, dw = o["stride_h"], o["stride_w"], o["dilation_h"], o["dilation_w"]

    def position(bb: int, oy: int, ox: int, c: int) -> tuple[int, list[tuple[int, int]], np.ndarray]:
        """(constant, taps (w, flat input index), every weight inside) of one conv output."""
        taps, inside = [], []
        for fy in range(fh):
            y = oy * sh - pad_h + fy * dh
            if not 0 <= y < ih:
                continue
            for fx_ in range(fw):
                xx = ox * sw - pad_w + fx_ * dw
                if not 0 <= xx < iw:
                    continue
                for cc in range(ic):
                    wv = int(W[c, fy, fx_, cc])
                    inside.append(wv)
                    if wv:
                        taps.append((wv, ((bb * ih + y) * iw + xx) * ic + cc))
        ins = np.array(inside, np.int64)
        return int(bias[c] - tin.zero_point * int(ins.sum())), taps, ins

    # outputs: (dst flat index, channel, [conv positions (b, oy, ox)], clamps)
    conv_lo, conv_hi = common.activation(op, tout)
    outputs: list[tuple[int, int, list[tuple[int, int, int]]]] = []
    clamps = [(conv_lo, conv_hi)]
    if pool is None:
        for bb in range(b):
            for oy in range(oh):
                for ox in range(ow):
                    for c in range(oc):
                        outputs.append((((bb * oh + oy) * ow + ox) * oc + c, c, [(bb, oy, ox)]))
        what = f"{b * oh * ow * oc} outputs"
    else:
        po = pool.options
        pin = em.t(pool.inputs[0])
        pout = em.t(pool.outputs[0])
        pb, ph, pw, pc = common.shape4(pin.shape, f"MAX_POOL_2D {pool.index} input")
        qb, qh, qw, qc = common.shape4(pout.shape, f"MAX_POOL_2D {pool.index} output")
        if pin.size != tout.size or pc != oc or qc != pc or qb != pb:
            return False
        if pin.scale != tout.scale or pin.zero_point != tout.zero_point or pout.scale != pin.scale \
                or pout.zero_point != pin.zero_point:
            return False
        ppad_h = common.padding(po["padding"], ph, po["filter_h"], po["stride_h"], 1, qh)
        ppad_w = common.padding(po["padding"], pw, po["filter_w"], po["stride_w"], 1, qw)
        for bb in range(qb):
            for qy in range(qh):
                for qx in range(qw):
                    for c in range(qc):
                        pos = []
                        for fy in range(po["filter_h"]):
                            y = qy * po["stride_h"] - ppad_h + fy
                            if not 0 <= y < ph:
                                continue
                            for fx_ in range(po["filter_w"]):
                                xx = qx * po["stride_w"] - ppad_w + fx_
                                if not 0 <= xx < pw:
                                    continue
                                spatial = (bb * ph + y) * pw + xx  # channels agree: flat // oc
                                cb, rest = divmod(spatial, oh * ow)
                                pos.append((cb, rest // ow, rest % ow))
                        outputs.append((((bb * qh + qy) * qw + qx) * qc + c, c, pos))
        clamps.append(common.activation(pool, pout))
        what = f"{len(outputs)} pooled outputs (MAX_POOL_2D {pool.index} fused on the accumulators)"
    cache: dict[tuple[int, int, int, int], tuple[int, list[tuple[int, int]], np.ndarray]] = {}

    def pos_of(p: tuple[int, int, int], c: int):
        key = (*p, c)
        if key not in cache:
            cache[key] = position(*p, c)
        return cache[key]

    macs = sum(len(pos_of(p, c)[1]) for _, c, ps in outputs for p in ps)
    if macs > limit:
        return False
    bounds = [0] * oc
    for _, c, ps in outputs:
        for p in ps:
            const, _taps, ins = pos_of(p, c)
            if abs(const) > fx.INT32_MAX:
                return False
            bounds[c] = max(bounds[c], _bound(const, ins))
    if max(bounds) >= fx.INT32_MAX:
        return False
    zero = {c: int(bias[c]) for c in range(oc) if not W[c].any()}
    rng = _range(clamps)
    if rng is None:
        return False  # a constant output: left to the reference kernels
    def stmts(table: _Requant, flat: int, c: int, ps, x_off: int, y_off: int) -> list[str]:
        """One output's statements, input indices minus ``x_off``, output index minus ``y_off``."""
        dst_i = f"y[{flat - y_off}]"
        if not ps:  # a pool window entirely in the padding: TFLite's max starts at -128
            return [f"        {dst_i} = {i32_literal(max(-128, clamps[-1][0]))};"]
        if c in zero:
            return [_store(dst_i, "acc", table, c, tout.zero_point, clamps)]
        exprs = [_sum_expr(pos_of(p, c)[0], [(w_, i - x_off) for w_, i in pos_of(p, c)[1]]) for p in ps]
        if pool is None:
            return [f"        acc = {exprs[0]};", _store(dst_i, "acc", table, c, tout.zero_point, clamps)]
        out = [f"        best = {exprs[0]};"]
        for e in exprs[1:]:
            out += [f"        acc = {e};", "        if (acc > best) best = acc;"]
        return out + [_store(dst_i, "best", table, c, tout.zero_point, clamps)]

    # outputs grouped by spatial position; when every position's statements are the first's
    # with the input shifted by a constant stride (VALID padding: the weights are held, only
    # the input pointer walks), one loop over the positions replaces the copies (flash)
    n_ch = qc if pool is not None else oc
    groups = [outputs[i:i + n_ch] for i in range(0, len(outputs), n_ch)]

    def first_input(group) -> int | None:
        idx = [i for _, c, ps in group for p in ps for _, i in pos_of(p, c)[1]]
        return min(idx) if idx else None

    def layout(table: _Requant) -> tuple[list[str], int | None]:
        """The body's lines and, when looped, the input stride (None: unrolled)."""
        if len(groups) > 1 and all(len(g) == n_ch for g in groups):
            f0, f1 = first_input(groups[0]), first_input(groups[1])
            if f0 is not None and f1 is not None:
                step = f1 - f0
                body0 = [ln for flat, c, ps in groups[0] for ln in stmts(table, flat, c, ps, 0, 0)]
                if step > 0 and all([ln for flat, c, ps in g for ln in stmts(table, flat, c, ps, n * step, n * n_ch)]
                                    == body0 for n, g in enumerate(groups)):
                    return [f"        for (k = 0; k < {len(groups)}; ++k, x += {step}, y += {n_ch}) {{",
                            *["    " + ln for ln in body0], "        }"], step
        return [ln for flat, c, ps in outputs for ln in stmts(table, flat, c, ps, 0, 0)], None

    # the layout does not depend on the requantization's form (one per channel): a dry run with
    # placeholders counts the requantization sites the inlined forms would be copied to
    _, dry_step = layout(_Requant("T", {c: 0 for c in zero}, None, {c: 0 for c in range(oc)}))
    sites = n_ch if dry_step is not None else len(outputs)
    table = _rq_table(em, op, tin.scale, w, tout.scale, oc, "double", bounds, zero, tout.zero_point, *rng,
                      inline_ok=sites <= INLINE_SITES)
    if table is None:
        return False
    lines, step = layout(table)
    if step is not None:
        em.need_k = True
        what += f", looped over {len(groups)} positions (input stride {step})"
    em.calls.append(_block(em, f"    /* fast: {what} unrolled, {macs} non-zero multiply-accumulates */", src, dst, lines))
    return True


# tinyids_softmax_fast's preconditions (kernels/tinyids_softmax_fast.h): 2^19 <= sum < 2^27
SOFTMAX_MAX_DEPTH = 255


def softmax(em: Emitter, op: Operator, src: str, dst: str, outer: int, depth: int, diff_min: int,
            exp_table: list[int], table: str) -> bool:
    """SOFTMAX through ``tinyids_softmax_fast`` (``kernels/tinyids_softmax_fast.h``): the same
    exp table and ``diff_min`` as ``tinyids_softmax``, the sum, the reciprocal and the final
    rounding without 64-bit arithmetic, equal to the reference kernel on every input (proved in
    the kernel, tested in ``tests/c/test_softmax_fast.c``). False (the caller emits the
    reference kernel) outside its preconditions: a row wider than :data:`SOFTMAX_MAX_DEPTH`,
    a table whose first entry is not exp(0) = INT32_MAX or with a negative entry."""
    if not 1 <= depth <= SOFTMAX_MAX_DEPTH or not exp_table or exp_table[0] != fx.INT32_MAX \
            or min(exp_table) < 0:
        em.specialised.append(f"SOFTMAX {op.index}: reference kernel (outside tinyids_softmax_fast's preconditions)")
        return False
    em.kernel("softmax_fast")
    em.calls.append(f"    tinyids_softmax_fast({src}, {dst}, {outer}, {depth}, {diff_min}, {table});")
    em.specialised.append(f"SOFTMAX {op.index}: tinyids_softmax_fast ({len(exp_table)}-entry exp table)")
    return True
