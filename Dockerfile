# The app image: one uvicorn process per container; scale with --workers or replicas.
FROM node:20-slim AS htmx
ARG HTMX_VERSION=2.0.11
WORKDIR /build
RUN npm pack --silent "htmx.org@${HTMX_VERSION}" \
 && tar -xzf "htmx.org-${HTMX_VERSION}.tgz" \
 && cp package/dist/htmx.min.js /build/htmx.min.js

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint (PDF reports) needs Pango at run time; `qms backup` and `qms restore` on
# PostgreSQL need pg_dump, pg_restore and psql (of the server's major version or newer).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 qms
WORKDIR /app
COPY pyproject.toml README.md ./
COPY qms ./qms
COPY templates ./templates
COPY questionnaires ./questionnaires
COPY migrations ./migrations
COPY --from=htmx /build/htmx.min.js ./qms/static/js/htmx.min.js
RUN pip install .
USER qms
EXPOSE 8000
ENV QMS_QUESTIONNAIRES=/app/questionnaires
# Two workers by default: without QMS_SECRET_KEY, `qms serve` gives them one random key
# (sessions then end at each restart); compose.yaml insists on a key of its own.
CMD ["sh", "-c", "qms db upgrade && exec qms serve --host 0.0.0.0 --port 8000 --workers ${QMS_WORKERS:-2}"]
