#!/bin/sh
# install-deps.sh run|test|bench: installs the Debian packages (and Node.js) that `make run`,
# `make test` or `make bench` need and are missing. As root it runs apt-get; otherwise it prints
# the exact command to run and exits 1. Checking costs ~0.2 s, so every make target calls it.
set -eu
mode=${1:-run}

RUN_PKGS="make gcc libc6-dev meson ninja-build pkg-config ca-certificates
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev
  liboath-dev libqrencode-dev libxlsxwriter-dev libminizip-dev zlib1g-dev libexpat1-dev"
TEST_PKGS="libcmocka-dev postgresql postgresql-client sqlite3 chromium fonts-noto-cjk procps"
BENCH_PKGS="wrk nginx-light postgresql postgresql-client procps python3 jq curl"

case "$mode" in
run) want="$RUN_PKGS" ;;
test) want="$RUN_PKGS $TEST_PKGS" ;;
bench) want="$RUN_PKGS $BENCH_PKGS" ;;
*) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in *"ok installed"*) ;; *) missing="$missing $p" ;; esac
done
# Node.js >= 18 from Debian (stock Debian 12 ships 18) unless a node is already on PATH.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 18 ]; then
  missing="$missing nodejs npm"
elif ! command -v npm >/dev/null 2>&1; then
  missing="$missing npm"
fi

[ -z "$missing" ] && exit 0
cmd="apt-get update && apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
  echo "dangjian: missing packages:$missing" >&2
  echo "dangjian: run as root:  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "dangjian: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
