#!/usr/bin/env bash
# Builds the gateway's image with podman and runs it: the container starts on its embedded
# database as a non-root user, its HEALTHCHECK passes, and it stops cleanly on SIGTERM.
#
# No image registry is reachable here, so the base image is made from Debian's packages
# (debootstrap, Debian 12 minbase) plus this machine's node and npm, and passed to the Dockerfile
# as BASE. Elsewhere, `podman build .` uses node:20-bookworm-slim.
#
# Where podman cannot run a container at all (no user namespaces, no overlay), it says so and
# exits 0: that is the machine, not the image. Any failure after that fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=localhost/capig-base:bookworm
IMAGE=localhost/capig:check
PORT=${CONTAINER_CHECK_PORT:-18580}
OPS_PORT=${CONTAINER_CHECK_OPS_PORT:-19564}
NAME=capig-container-check-$$

need() { command -v "$1" >/dev/null 2>&1 || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need podman podman
need debootstrap debootstrap

if ! podman image exists "$BASE"; then
  echo "== base image from Debian's packages (debootstrap bookworm minbase) and this machine's node"
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
  node_bin=$(command -v node)
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  install -m 0755 "$node_bin" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  rm -rf "$root/var/cache/apt/archives/"*.deb
  tar -C "$root" -c . | podman import --change 'CMD ["node"]' - "$BASE" >/dev/null
  rm -rf "$root"
  trap - EXIT
fi

echo "== can podman run a container here?"
# This machine's limits, not podman's defaults, which a sandbox may not allow raising.
ULIMITS=(--ulimit "nofile=$(ulimit -Sn):$(ulimit -Hn)" --ulimit "nproc=$(ulimit -Su):$(ulimit -Hu)")
if ! podman run --rm --network host "${ULIMITS[@]}" "$BASE" node -e 'process.exit(0)' >/tmp/capig-podman-probe.log 2>&1; then
  echo "SKIP: podman cannot run a container on this machine:"
  tail -5 /tmp/capig-podman-probe.log
  exit 0
fi

echo "== podman build (BASE=$BASE)"
podman build --network host "${ULIMITS[@]}" --build-arg "BASE=$BASE" -t "$IMAGE" . >/tmp/capig-podman-build.log 2>&1 || {
  tail -40 /tmp/capig-podman-build.log
  exit 1
}

echo "== run: the embedded database as a non-root user, probes, and a clean stop"
cleanup() { podman rm -f "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT
podman run -d --name "$NAME" --network host "${ULIMITS[@]}" -e "PORT=$PORT" -e "CAPIG_OPS_PORT=$OPS_PORT" "$IMAGE" >/dev/null
for _ in $(seq 1 90); do
  curl -fsS "http://127.0.0.1:$OPS_PORT/health/ready" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$OPS_PORT/health/ready"; echo
test "$(podman exec "$NAME" id -u)" = 10001
curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null
podman healthcheck run "$NAME"
podman stop -t 30 "$NAME" >/dev/null
code=$(podman inspect "$NAME" --format '{{.State.ExitCode}}')
podman logs "$NAME" 2>&1 | grep -q '"gateway stopped"'
test "$code" = 0
echo "container check passed: built, started on its embedded database as uid 10001, ready, healthy, stopped with 0"
