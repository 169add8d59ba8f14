import numpy as np
import pytest

from assistant.model.e5file import dequantize_q4, quantize_q4, read_e5, write_e5
from tests.tiny import tiny_e5


def test_q4_layout_low_nibbles_first():
    # one block: scale 1.0, byte j holds weight j (low nibble) and weight j+16 (high nibble)
    scale = np.array([1.0], dtype="<f2").tobytes()
    qs = bytes((j % 16) | ((15 - j % 16) << 4) for j in range(16))
    w = dequantize_q4(scale + qs, 32)
    assert w[:16].tolist() == [j - 8 for j in range(16)]
    assert w[16:].tolist() == [7 - j for j in range(16)]


def test_quantize_roundtrip_error_is_within_half_a_step():
    x = np.random.default_rng(1).normal(size=32 * 10).astype(np.float32)
    y = dequantize_q4(quantize_q4(x), x.size)
    step = np.abs(x.reshape(-1, 32)).max(axis=1) / 7
    assert (np.abs(x - y).reshape(-1, 32) <= step[:, None] * 0.5 + 1e-3).all()


def test_write_then_read_keeps_everything():
    f = tiny_e5()
    g = read_e5(write_e5(f))
    assert g.header.vocab == f.header.vocab and g.header.layers == f.header.layers
    assert abs(g.header.eps - f.header.eps) < 1e-15
    assert g.pieces == f.pieces and g.normalization == f.normalization
    assert np.allclose(g.scores, f.scores)
    assert np.array_equal(g.tensors["emb.pos"], f.tensors["emb.pos"])  # fp32 tensors are exact
    assert np.abs(g.tensors["l0.q.w"] - f.tensors["l0.q.w"]).max() < 0.02


def test_bad_magic_and_truncation_are_named():
    data = write_e5(tiny_e5())
    with pytest.raises(ValueError, match="bad magic"):
        read_e5(b"XXXX" + data[4:])
    with pytest.raises(ValueError, match="truncated|past the end"):
        read_e5(data[: len(data) // 2])
