# The gateway's image: `podman build -t capig .` (or docker). Two stages: the first installs with
# `npm ci` and builds; the second keeps dist/, the production dependencies (the embedded
# PostgreSQL server's binaries included) and the SQL and schema files read at run time.
#
# BASE is any Debian 12 image with Node 20.19 or newer. Where no registry is reachable,
# scripts/container-check.sh builds one from Debian's packages (debootstrap) and this machine's
# node, and passes it here.
ARG BASE=docker.io/library/node:20-bookworm-slim

FROM ${BASE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY . .
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE}
# A user of its own: the gateway, and the embedded PostgreSQL server it may start, never run as root.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/capig --create-home capig \
 && mkdir -p /var/lib/capig/data && chown -R capig:capig /var/lib/capig
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/src ./src
USER capig
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    CAPIG_OPS_HOST=0.0.0.0 \
    CAPIG_OPS_PORT=9464 \
    CAPIG_DATA_DIR=/var/lib/capig/data
VOLUME ["/var/lib/capig/data"]
EXPOSE 8080 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/cli/main.js", "start"]
