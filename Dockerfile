# syntax=docker/dockerfile:1.7
#
# One image for all of Agentry. The process it runs is chosen at run time by
# AGENTRY_SERVICE (or the first argument):
#   embedded (default)                      apps/embedded/src/main.ts — all eight services in one process
#   graph | execution | block-runner | integration | store | scheduler | notification | gateway
#                                           services/<name>/src/main.ts
#   cli                                     apps/cli/src/main.ts (pass the CLI's arguments after it)
#
# TypeScript runs through tsx (`node --import tsx …`), not a compiled build: the workspaces
# point their "main" at src/*.ts and the repo has no emit step, so compiling would add a second
# module layout that tests never exercise. tsx is a runtime dependency already; its transpile
# cache lives in /tmp, which is why /tmp must stay writable (the chart mounts an emptyDir there).
#
#   docker build -t agentry .                    # target "release" (the last stage)
#   docker build --target dev -t agentry:dev .   # file-sync friendly, restarts on change
#   docker run --rm -p 8080:8080 -v agentry-data:/data agentry                  # embedded
#   docker run --rm -e AGENTRY_SERVICE=graph agentry                             # one service
#   docker run --rm --read-only --tmpfs /tmp -v agentry-data:/data -p 8080:8080 agentry

ARG NODE_IMAGE=node:24-slim

# ---------------------------------------------------------------------------
# manifests: only package.json files and the lockfile, so the npm ci layers
# below are rebuilt when dependencies change, not when source changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && find . -path ./node_modules -prune -o \( -name package.json -o -name package-lock.json \) -print0 \
    | tar --null -T - -cf - | tar -xf - -C /out

# ---------------------------------------------------------------------------
# toolchain: native addons (better-sqlite3) fall back to a source build.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=manifests /out/ ./

# prod-deps: runtime dependencies only.
FROM toolchain AS prod-deps
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

# build: all dependencies, then the editor bundle (when the editor workspace exists).
FROM toolchain AS build
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY . .
RUN mkdir -p apps/editor/dist \
 && if [ -f apps/editor/package.json ]; then npm run build --workspace apps/editor; fi

# ---------------------------------------------------------------------------
# runtime
FROM ${NODE_IMAGE} AS runtime
ARG AGENTRY_SERVICE=embedded
ENV NODE_ENV=production \
    AGENTRY_SERVICE=${AGENTRY_SERVICE} \
    AGENTRY_DATA_DIR=/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# uid/gid 10001, no login shell, no home of its own to write to.
RUN groupadd --system --gid 10001 agentry \
 && useradd --system --uid 10001 --gid agentry --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin agentry \
 && mkdir -p /data \
 && chown agentry:agentry /data

WORKDIR /app
# Source (node_modules, tests, charts… are excluded by .dockerignore), then the
# production node_modules (root and any nested workspace ones), then the editor bundle.
# Everything stays owned by root: the service cannot rewrite its own code.
COPY . .
COPY --from=prod-deps /app/ ./
COPY --from=build /app/apps/editor/dist/ ./apps/editor/dist/

COPY --chmod=0755 <<'EOF' /usr/local/bin/agentry
#!/bin/sh
# Starts one Agentry process: AGENTRY_SERVICE or the first argument picks which.
set -eu
service="${AGENTRY_SERVICE:-embedded}"
if [ "$#" -gt 0 ]; then service="$1"; shift; fi
case "$service" in
  embedded) entry=apps/embedded/src/main.ts ;;
  graph|execution|block-runner|integration|store|scheduler|notification|gateway) entry="services/$service/src/main.ts" ;;
  cli) entry=apps/cli/src/main.ts ;;
  *) echo "agentry: unknown service '$service'; expected embedded, cli or one of graph execution block-runner integration store scheduler notification gateway" >&2
     exit 64 ;;
esac
export AGENTRY_SERVICE="$service"
if [ "${AGENTRY_WATCH:-}" = "1" ]; then
  # Inner loop (Tilt/Skaffold sync): restart on file changes.
  exec node_modules/.bin/tsx watch --clear-screen=false "$entry" "$@"
fi
exec node --enable-source-maps --import tsx "$entry" "$@"
EOF

# Probes the process's own health endpoint: the gateway HTTP port for embedded,
# otherwise the service's ops port (AGENTRY_OPS_PORT, defaulting to 9464 + index).
COPY --chmod=0755 <<'EOF' /usr/local/bin/agentry-healthcheck
#!/usr/bin/env node
const order = ['graph', 'execution', 'block-runner', 'integration', 'store', 'scheduler', 'notification', 'gateway'];
const service = process.env.AGENTRY_SERVICE || 'embedded';
const port = service === 'embedded'
  ? Number(process.env.PORT || 8080)
  : Number(process.env.AGENTRY_OPS_PORT || 9464 + Math.max(order.indexOf(service), 0));
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2500) })
  .then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1));
EOF

USER 10001:10001
VOLUME ["/data"]
# gRPC 50051-50058, ops 9464-9471, gateway HTTP 8080
EXPOSE 8080 50051-50058 9464-9471
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["agentry-healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["agentry"]

# ---------------------------------------------------------------------------
# dev: for Tilt/Skaffold file sync. The source is owned by the runtime user so synced files can
# land, and tsx restarts the process on change. Never deploy it with readOnlyRootFilesystem.
FROM runtime AS dev
USER root
RUN chown -R 10001:10001 /app/libs /app/services /app/apps
USER 10001:10001
ENV NODE_ENV=development \
    AGENTRY_WATCH=1

# release: the default target (the last stage) — the runtime image unchanged.
FROM runtime AS release
