# craftscode: a static Go binary on a distroless base.
#
#   docker build -t craftscode .
#   docker run -p 8080:8080 -e CRAFTSCODE_ADMIN_TOKEN=... -v craftscode-data:/data craftscode
#
# Without DATABASE_URL and S3_ENDPOINT it keeps everything (SQLite file and
# blob folder) under /data; docker-compose.yml wires PostgreSQL and MinIO.

# --- build ---------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src

# Modules first, so that this layer is reused while only our code changes.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
# CGO off: a fully static binary, which the distroless static image needs
# (the SQLite driver is pure Go). -trimpath keeps build paths out of it.
RUN CGO_ENABLED=0 go build -trimpath -o /out/craftscode ./cmd/craftscode \
	&& mkdir -p /out/data

# --- runtime -------------------------------------------------------------
# No shell, no package manager; runs as the image's "nonroot" user
# (uid/gid 65532). CA certificates and time zone data are included.
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/craftscode /craftscode
# An empty /data owned by nonroot: a new named volume mounted there copies
# this ownership, so the service can write to it.
COPY --from=build --chown=65532:65532 /out/data /data

ENV CRAFTSCODE_DATA_DIR=/data \
	CRAFTSCODE_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532

ENTRYPOINT ["/craftscode"]
CMD ["serve"]
