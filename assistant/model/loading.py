"""Pick the inference backend named in settings: the fast path by default, PyTorch as reference."""

from __future__ import annotations

from assistant.config import Settings
from assistant.model.predictor import Predictor


def predictor_from_settings(settings: Settings, *, build: bool = True) -> Predictor:
    if settings.backend == "torch":
        from assistant.model.classifier import classifier_from_settings

        return classifier_from_settings(settings)
    from assistant.model.fast import load_fast

    return load_fast(
        settings.model_dir,
        settings.cache_dir,
        base_file=settings.base_file,
        kind=settings.backend,
        batch_size=settings.batch_size,
        max_length=settings.max_length,
        threads=settings.threads,
        build=build,
    )
