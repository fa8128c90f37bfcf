# MentorBot's image: `mentorbot serve` as a non-root user, healthy while /healthz says so.
#   docker build -t mentorbot .
#   docker run --env-file mentorbot.env -p 3000:3000 mentorbot            # one replica
#   docker run --env-file mentorbot.env mentorbot mentorbot db upgrade    # migrations, once
# Every replica needs the same environment (README, "Deployment: N replicas").
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000

WORKDIR /app
# The dependencies first, so that a change to the code doesn't reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir bot models migrations \
    && touch bot/__init__.py models/__init__.py migrations/__init__.py \
    && pip install . \
    && pip uninstall -y mentorbot \
    && rm -rf bot models migrations
COPY bot ./bot
COPY models ./models
COPY migrations ./migrations
# Installed in place: the migrations are found beside the models (models/migrate.py).
RUN pip install --no-deps -e . \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin mentorbot

USER mentorbot
EXPOSE 3000
# Python, not curl (the slim image has none): /healthz answers 200 while the database
# and Slack's token are fine, 503 otherwise (urlopen raises, the check fails).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
CMD ["mentorbot", "serve"]
