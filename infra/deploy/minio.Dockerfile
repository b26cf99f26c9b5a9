# MinIO server built from source (MinIO publishes source only). Used by compose.yaml (profile
# "minio") and k8s/minio.yaml as cgml/minio:RELEASE.2025-10-15T17-29-55Z:
#   docker build -f infra/deploy/minio.Dockerfile -t cgml/minio:RELEASE.2025-10-15T17-29-55Z infra/deploy
# The pinned pseudo-version is tag RELEASE.2025-10-15T17-29-55Z, the first release whose
# conditional writes (If-None-Match: *, If-Match on a missing key) are all correct.
FROM golang:1.26-bookworm AS build
ARG MINIO_VERSION=v0.0.0-20251015172955-9e49d5e7a648
RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath -tags kqueue "github.com/minio/minio@${MINIO_VERSION}"

FROM debian:bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates curl \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 1000 --home-dir /data minio \
  && mkdir -p /data && chown minio:minio /data
COPY --from=build /out/minio /usr/local/bin/minio
USER minio
EXPOSE 9000 9001
VOLUME ["/data"]
HEALTHCHECK --interval=5s --retries=30 CMD curl -fsS http://127.0.0.1:9000/minio/health/cluster || exit 1
ENTRYPOINT ["minio"]
CMD ["server", "/data", "--address", ":9000", "--console-address", ":9001"]
