# Watch Tower: one static binary in a distroless image.
#
# Why this shape: h3-go (geo cells) is C, so the binary needs cgo. It is linked statically
# against glibc (-linkmode external -extldflags -static); the netgo and osusergo tags keep
# glibc's NSS (DNS lookups, user names) out, the one part of glibc that does not work in a
# static binary. The result needs no libc at run time, so the final image is
# distroless/static: CA certificates and /etc/passwd, no shell, no package manager, about
# 2 MB plus the binary, running as the unprivileged user nonroot (65532). Time zones are
# embedded in the binary (time/tzdata).
#
#   docker build -t watchtower --build-arg VERSION=$(git describe --always --dirty) .

ARG GO_IMAGE=golang:1.26-bookworm
ARG RUN_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/root/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 go build -trimpath -tags netgo,osusergo \
      -ldflags "-s -w -linkmode external -extldflags -static -X main.version=${VERSION}" \
      -o /out/watchtower . \
 && /out/watchtower version

FROM ${RUN_IMAGE}
COPY --from=build /out/watchtower /usr/local/bin/watchtower
USER nonroot:nonroot
# Inside a container the admin listener (/metrics, pprof) listens on the container's own
# network so Prometheus can scrape it there; publish it only to loopback, if at all.
ENV HTTP_ADDR=:8080 ADMIN_ADDR=:9090 LOG_FORMAT=json
EXPOSE 8080 9090
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/watchtower", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/watchtower"]
CMD ["serve"]
