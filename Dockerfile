# syntax=docker/dockerfile:1
#
# wecom-alert-adapter container image.
#
#   docker build -t wecom-alert-adapter .
#   docker run -d -p 8090:8090 -v wecom-adapter-data:/data \
#     -v "$PWD/config.yaml:/etc/wecom-alert-adapter/config.yaml:ro" wecom-alert-adapter
#
# Without a mounted config the image runs the small built-in config below (every source goes to a
# console receiver that prints to stdout), with the outbox in the /data volume. A config of your own
# should keep `storage.path: /data` so queued messages live in the volume and survive the container.
# The process runs as uid/gid 1000 (the `node` user of the base image): make a bind-mounted /data
# writable for it. `docker run --read-only` works as long as /data is a volume.

# Both stages use the same base so better-sqlite3's native binary matches the runtime's Node ABI
# and glibc.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src

# better-sqlite3 is a native module: npm first tries a prebuilt binary and otherwise compiles it
# with node-gyp, which needs python3, make and a C++ compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# Dependencies first, so the layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

ENV NODE_ENV=production
WORKDIR /app

# Application files stay owned by root and read-only for the service user.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY templates ./templates
COPY config.example.yaml ./config.example.yaml
# The web console's static files and the example payloads of its template playground.
COPY src/ui/assets ./src/ui/assets
COPY examples/payloads ./examples/payloads

# Default config: mount your own over this file (or over the whole directory, as the Kubernetes
# manifests in deploy/kubernetes do with a ConfigMap).
COPY <<"EOF" /etc/wecom-alert-adapter/config.yaml
# Built-in config of the container image: every source is printed to stdout by a console
# receiver. Replace this file with your own (see /app/config.example.yaml for every key).
server:
  listen: 0.0.0.0:8090
storage:
  path: /data
receivers:
  - name: console
    console: {}
route:
  receiver: console
EOF

# The outbox directory must be writable by the service user; a named volume inherits this owner.
RUN mkdir -p /data && chown 1000:1000 /data

# Numeric uid:gid so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
USER 1000:1000
VOLUME /data
EXPOSE 8090

# Liveness via node itself (the slim image has no curl or wget). Assumes the default listen port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:8090/healthz',{timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('timeout',function(){this.destroy(new Error('timeout'))}).on('error',()=>process.exit(1))"]

# Started through its shebang (`#!/usr/bin/env -S MALLOC_TRIM_THRESHOLD_=… node --max-semi-space-size=4 …`),
# so the image runs with the same V8 flags and glibc tunable as the npm bin and `npm start` (the build
# marks the file executable).
ENTRYPOINT ["/app/dist/src/cli.js"]
CMD ["serve", "--config", "/etc/wecom-alert-adapter/config.yaml"]
