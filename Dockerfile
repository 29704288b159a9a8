# piriod-mock as a CI sidecar: a small non-root image that is healthy within half a second of starting.
#   docker build -t piriod-mock .
#   podman build --format docker -t piriod-mock .   (podman/buildah: the default OCI format drops HEALTHCHECK)
#   docker run --rm -p 8080:8080 piriod-mock
# Both stages use the same pinned Node LTS (Node 20 reached end of life in April 2026; better-sqlite3 12
# supports 20 to 25). npm run test:image builds and runs this file and checks what follows (docs/image.md).

# ---- build: toolchain for the native module, full install, build, prune to production dependencies
FROM node:22.23.2-bookworm-slim AS build
# on every image the build makes, the build stage's too: npm run test:image prunes its own leftovers by it
LABEL org.opencontainers.image.title="piriod-mock"
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# build.mjs too: npm ci runs the package's prepare script (node scripts/build.mjs --prepare), which finds no
# sources yet and does nothing; without the file, npm ci fails with "Cannot find module"
COPY package.json package-lock.json ./
COPY scripts/build.mjs ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY migrations ./migrations
# Where better-sqlite3 had to compile (no prebuilt binary for this platform, or its host unreachable), only the
# addon is kept: the objects, the SQLite sources and the test extension (~27 MB) are not needed to run.
RUN npm run build -- --js \
 && npm prune --omit=dev --no-audit --no-fund \
 && cd node_modules/better-sqlite3 \
 && find build -mindepth 1 -not -path build/Release -not -path build/Release/better_sqlite3.node -delete \
 && rm -rf deps src

# ---- runtime: only what runs
FROM node:22.23.2-bookworm-slim
LABEL org.opencontainers.image.title="piriod-mock" \
      org.opencontainers.image.description="A stateful, faithful emulator of the Piriod refunds API for integration tests"
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATABASE_PATH=/data/piriod-mock.sqlite \
    LOG_FORMAT=json \
    NODE_COMPILE_CACHE=/app/.compile-cache
WORKDIR /app
# The application belongs to root and is read-only to the server's user: only /data is writable.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/migrations ./migrations
# Node's compile cache, filled by one start of the server at build time (stopped by SIGTERM after 3 s): run → first
# 200 was 543 ms with it and 601 ms without (medians of 7 interleaved starts, docs/image.md). The cache is per uid,
# so the node user makes it; then it belongs to root like the rest, read-only (Node reads it and writes nothing).
RUN mkdir -p /data /app/.compile-cache && chown node:node /data /app/.compile-cache \
 && (su node -s /bin/sh -c 'DATABASE_PATH=:memory: PORT=0 LOG_LEVEL=warn timeout -s TERM 3 node --max-semi-space-size=4 dist/server.js' || true) \
 && chown -R root:root /app/.compile-cache && chmod -R a+rX,go-w /app/.compile-cache
VOLUME /data
USER node
EXPOSE 8080
# Slim images have no curl: Node's own fetch. A short interval, so depends_on: condition: service_healthy
# releases about as soon as the server answers (with Docker 25+, compose's start_interval can make it sooner).
HEALTHCHECK --interval=2s --timeout=2s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/__admin/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself as PID 1 (not npm), so SIGTERM reaches the server and it stops gracefully; the command is npm
# start's (4 MB semi-spaces: RSS under load ~20 MB lower at no measured cost, docs/performance.md)
CMD ["node", "--max-semi-space-size=4", "dist/server.js"]
