# The Chat-Rec API image (also used by the one-shot `init` and `train` services of docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CHATREC_API_HOST=0.0.0.0 CHATREC_API_PORT=8000 CHATREC_DATA_DIR=/data CHATREC_MODEL_DIR=/models
WORKDIR /app

# Dependencies first (cached layer, pinned by the lock file), then the code.
COPY pyproject.toml README.md constraints.txt ./
RUN mkdir core graph gnn nlu api \
    && touch core/__init__.py graph/__init__.py gnn/__init__.py nlu/__init__.py api/__init__.py \
    && pip install --no-cache-dir -c constraints.txt '.[llm]' && pip uninstall -y chatrec
COPY core ./core
COPY graph ./graph
COPY gnn ./gnn
COPY nlu ./nlu
COPY api ./api
RUN pip install --no-cache-dir --no-deps .

RUN useradd --create-home --uid 10001 chatrec && mkdir -p /models && chown chatrec /models
USER chatrec
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2)"
CMD ["chatrec", "serve"]
