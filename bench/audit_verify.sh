#!/usr/bin/env bash
# bench/audit_verify.sh: `dangjian audit verify` of 1,000,000 audit entries (issue 4 §7, target
# < 10 s), on SQLite and on PostgreSQL.
#
#   bench/audit_verify.sh [--pg CONNINFO]
#
# The log is written by build/bench/audit-fill (valid hashes and signed checkpoints, exactly as
# audit_append writes them, in one transaction). The SQLite file and its key file are cached in
# ${XDG_CACHE_HOME:-$HOME/.cache}/dangjian-bench/ (about 330 MB; ~20 s to build). PostgreSQL:
# --pg names a running cluster (bench/run.sh passes its own); otherwise a throw-away one is
# started with scripts/pg-temp.sh, unless BENCH_SKIP_PG=1. The figure is the median wall time of
# BENCH_AUDIT_RUNS runs (default 3) of the CLI, start-up included.
# Environment: DJ_BIN (default build/dangjian), BENCH_AUDIT_ENTRIES (default 1000000),
# BENCH_REBUILD=1, BENCH_SKIP_PG=1, BENCH_ROWS_FILE (bench/run.sh's result table: rows are
# appended there as NAME<TAB>MEASURED<TAB>UNIT<TAB>TARGET<TAB>KIND).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DJ_BIN:-$ROOT/build/dangjian}
FILL=$(dirname "$BIN")/bench/audit-fill
N=${BENCH_AUDIT_ENTRIES:-1000000}
RUNS=${BENCH_AUDIT_RUNS:-3}
FORMAT=v1                 # bump when audit-fill's output changes, to drop stale caches
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/dangjian-bench
CACHE_DB=$CACHE/audit-$N-$FORMAT.db
PGTEMP=$ROOT/scripts/pg-temp.sh
PG=""
if [ "${1:-}" = --pg ]; then PG=${2:?conninfo}; fi

TMP=$(mktemp -d -t dj-audit-bench.XXXXXX)
PGDIR=""
PGDB=""
cleanup() {
    if [ -n "$PGDB" ]; then
        psql "$PG" -qAt -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    if [ -n "$PGDIR" ]; then "$PGTEMP" stop "$PGDIR" >/dev/null 2>&1 || true; fi
    rm -rf "$TMP" "$CACHE_DB.partial" "$CACHE_DB.partial-wal" "$CACHE_DB.partial-shm"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "bench: $*" >&2; }
die() { say "$*"; exit 1; }
[ -x "$BIN" ] || die "no binary at $BIN (build first, or set DJ_BIN)"
[ -x "$FILL" ] || die "no audit-fill at $FILL (ninja -C build)"
mkdir -p "$CACHE"
SIZE=$(awk -v n="$N" 'BEGIN { s = sprintf("%d", n); o = ""
    while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
    print s o }')

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# verify_median URL KEYS -> median seconds of RUNS runs; fails unless every run says intact.
verify_median() {
    local i t0 t1 times=()
    for i in $(seq 1 "$RUNS"); do
        t0=$(seconds)
        "$BIN" audit verify --db "$1" --keys "$2" --log-level warn >"$TMP/verify.json" \
            2>"$TMP/verify.err" || { cat "$TMP/verify.err" >&2; die "verify failed on $1"; }
        t1=$(seconds)
        times+=("$(elapsed "$t0" "$t1")")
        grep -q '"entries": '"$N" "$TMP/verify.json" || die "verify did not read $N entries"
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

report() {   # report ENGINE SECONDS
    printf 'audit verify %s entries (%s): %s s (target < 10 s)\n' "$SIZE" "$1" "$2"
    if [ -n "${BENCH_ROWS_FILE:-}" ]; then
        printf '%s\t%s\t%s\t%s\t%s\n' "audit verify $SIZE entries $1" "$2" s 10 max \
            >>"$BENCH_ROWS_FILE"
    fi
}

if [ "${BENCH_REBUILD:-0}" = 1 ]; then rm -f "$CACHE_DB" "$CACHE_DB.keys"; fi
if [ ! -f "$CACHE_DB" ]; then
    say "writing $N audit entries to $CACHE_DB (one-off, cached afterwards)"
    rm -f "$CACHE_DB.partial"* "$CACHE_DB.keys"
    t0=$(seconds)
    "$FILL" --db "sqlite:$CACHE_DB.partial" --keys "$CACHE_DB.keys" --entries "$N" \
        >/dev/null 2>"$TMP/fill.err" || { tail -n 5 "$TMP/fill.err" >&2; die "audit-fill failed"; }
    say "filled in $(elapsed "$t0" "$(seconds)") s"
    mv "$CACHE_DB.partial" "$CACHE_DB"
    rm -f "$CACHE_DB.partial-wal" "$CACHE_DB.partial-shm"
fi
say "audit verify on SQLite ($RUNS runs)"
report SQLite "$(verify_median "sqlite:$CACHE_DB" "$CACHE_DB.keys")"

if [ -z "$PG" ] && [ "${BENCH_SKIP_PG:-0}" != 1 ]; then
    PGDIR=$(mktemp -d -t dj-audit-pg.XXXXXX)
    PG=$("$PGTEMP" start "$PGDIR" 2>/dev/null) || die "could not start PostgreSQL"
fi
if [ -n "$PG" ]; then
    PGDB=dj_audit_bench_$$
    psql "$PG" -qAt -c "CREATE DATABASE $PGDB" >/dev/null
    URL=$(printf '%s' "$PG" | sed "s/dbname=[^ ]*/dbname=$PGDB/")
    say "PostgreSQL: writing $N audit entries"
    t0=$(seconds)
    "$FILL" --db "$URL" --keys "$TMP/pg.keys" --entries "$N" >/dev/null 2>"$TMP/fill.err" ||
        { tail -n 5 "$TMP/fill.err" >&2; die "audit-fill failed on PostgreSQL"; }
    say "filled in $(elapsed "$t0" "$(seconds)") s; audit verify on PostgreSQL ($RUNS runs)"
    report PostgreSQL "$(verify_median "$URL" "$TMP/pg.keys")"
fi
