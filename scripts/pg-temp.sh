#!/bin/sh
# pg-temp.sh: a throw-away PostgreSQL server for tests (SETUP-RECIPES.md §4).
#   pg-temp.sh start [DIR]  -> prints a libpq conninfo on stdout (also written to DIR/conninfo)
#   pg-temp.sh stop DIR     -> stops the server and removes DIR
# As root, initdb/pg_ctl run as the postgres user (initdb refuses root). fsync is off: tests only.
set -eu
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
if [ "$(id -u)" = 0 ]; then RUNAS="runuser -u postgres --"; else RUNAS=""; fi
case "${1:-}" in
start)
  DIR=${2:-$(mktemp -d -t pgtemp.XXXXXX)}   # $TMPDIR or /tmp: postgres must reach it
  mkdir -p "$DIR/sock"; chmod 755 "$DIR"
  [ -n "$RUNAS" ] && chown -R postgres:postgres "$DIR"
  $RUNAS "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 --no-sync >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
  for try in 1 2 3; do
    # a random high port (no python3 on a minimal Debian); pg_ctl fails on a taken port: retry
    PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
    $RUNAS "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 -o \
      "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >"$DIR/pg_ctl.log" 2>&1 && break
    [ $try = 3 ] && { cat "$DIR/server.log" >&2; exit 1; }
  done
  echo "pg-temp: dir=$DIR socket=$DIR/sock" >&2
  echo "host=127.0.0.1 port=$PORT user=postgres dbname=postgres" | tee "$DIR/conninfo" ;;
stop)
  DIR=${2:?dir}
  [ -f "$DIR/data/postmaster.pid" ] && $RUNAS "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
  rm -rf "$DIR" ;;
*) echo "usage: $0 start [DIR] | stop DIR" >&2; exit 2 ;; esac
