# versitygw (Apache-2.0), the S3 server the tests and CI run, built from source. Used by
# compose.yaml (profile "versitygw") as cgml/versitygw:v1.8.0:
#   docker build -f infra/deploy/versitygw.Dockerfile -t cgml/versitygw:v1.8.0 infra/deploy
# Bucket notifications are configured by flags only: --event-webhook-url and an event filter
# (object creations, baked in below).
FROM golang:1.26-bookworm AS build
ARG VERSITYGW_VERSION=v1.8.0
RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath "github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}"

FROM debian:bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates curl \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 1000 --home-dir /data versitygw \
  && mkdir -p /data /etc/versitygw && chown versitygw:versitygw /data \
  && echo '{"s3:ObjectCreated:*": true}' > /etc/versitygw/event-filter.json
COPY --from=build /out/versitygw /usr/local/bin/versitygw
USER versitygw
EXPOSE 9000
VOLUME ["/data"]
HEALTHCHECK --interval=5s --retries=30 CMD curl -fsS http://127.0.0.1:9000/health || exit 1
ENTRYPOINT ["versitygw"]
CMD ["--port", ":9000", "--health", "/health", "--keep-alive", "posix", "/data"]
