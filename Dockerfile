# The helpline bot in a container: `docker compose up -d` (see compose.yaml and the
# README's "Deploying"). The database, the data key file and the backups live on the
# volume /data; the config file, read-only, is named by HELPLINE_BOT_CONFIG.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md config.example.toml constraints.txt ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY sandbox ./sandbox
# The versions CI tested (constraints.txt), not whatever is newest on the day of the build.
# The example config goes to /usr/local/share/helpline-bot, where `helpline-bot demo` finds it.
RUN PIP_CONSTRAINT=/src/constraints.txt pip install .

# Never root: the bot needs to write only its own /data.
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin helpline \
    && mkdir -p /data /config \
    && chown helpline:helpline /data \
    && chmod 700 /data
VOLUME ["/data"]
WORKDIR /data

# HELPLINE_BOT_DATA_DIR: a relative storage.path or backup.dir (as in config.example.toml)
# lies in /data, not beside the read-only config. HELPLINE_BOT_HEALTH_LISTEN switches the
# health server on for the HEALTHCHECK below, whatever the config's [health] says.
ENV HELPLINE_BOT_CONFIG=/config/config.toml \
    HELPLINE_BOT_DATA_DIR=/data \
    HELPLINE_BOT_HEALTH_LISTEN=0.0.0.0:8080 \
    HEALTHCHECK_URL=http://127.0.0.1:8080/healthz
USER helpline

# /healthz and /metrics (compose publishes them on the host's 127.0.0.1 only).
EXPOSE 8080
# Python's own urllib: the slim image has no curl. A 503 raises, so it exits 1.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['HEALTHCHECK_URL'], timeout=5)"]

CMD ["helpline-bot", "run"]
