# bench/member_import.sh: the member import (issue 5 target: 100,000 rows of xlsx with validation
# and field encryption < 30 s on SQLite; PostgreSQL < 60 s, our own target, decision 0015). Sourced by bench/run.sh (uses its
# row, say, die, $BIN, $TMP, $PGTEMP and $CONN when its PostgreSQL ran); also runs alone:
#   bench/member_import.sh            (SQLite, then PostgreSQL through scripts/pg-temp.sh)
# build/bench/member-import-gen writes BENCH_IMPORT_ROWS (default 100000) valid members (unique
# valid ID numbers, phones, addresses) as xlsx; `dangjian import members` reads, validates, seals
# 3 fields + 2 blind indexes per row and writes in batches of 500 into a fresh database with a
# small demo org tree; a second run of the same file (every row unchanged) is timed too. Wall and
# CPU seconds are printed with the load average (the machine may be shared).
# BENCH_SKIP_IMPORT=1 skips it; BENCH_SKIP_PG=1 skips PostgreSQL.

import_once() {   # import_once DBURL LABEL TAG: one timed import; prints "wall cpu"
    local t0 t1 c out
    t0=$(date +%s.%N)
    out=$( { /usr/bin/time -f '%U %S' "$BIN" import members "$IMPORT_FILE" --db "$1" \
        --log-level warn >"$TMP/import-$3.json"; } 2>&1 ) || die "import ($2) failed: $out"
    t1=$(date +%s.%N)
    c=$(awk '{printf "%.1f", $(NF-1) + $NF}' <<<"$out")
    printf '%s %s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}')" "$c"
}

import_figures() {   # import_figures DBURL LABEL TARGET_S
    local w c load target=$3
    "$BIN" migrate --db "$1" --log-level warn >/dev/null 2>&1 || die "migrate ($2) failed"
    "$BIN" demo --db "$1" --members 20 --seed 1 --log-level warn >/dev/null 2>&1 || die "demo ($2) failed"
    load=$(cut -d' ' -f1 /proc/loadavg)
    read -r w c <<<"$(import_once "$1" "$2" new)"
    grep -q '"new": '"$IMPORT_ROWS" "$TMP/import-new.json" || die "import ($2): $(cat "$TMP/import-new.json")"
    say "import: $2 $IMPORT_ROWS new rows: $w s wall, $c s CPU (load average $load)"
    row "import 100k xlsx $2" "$w" s "$target" max
    row "import 100k xlsx $2 CPU" "$c" s "$target" info
    read -r w c <<<"$(import_once "$1" "$2" again)"
    grep -q '"unchanged": '"$IMPORT_ROWS" "$TMP/import-again.json" || die "re-import ($2) not unchanged"
    load=$(cut -d' ' -f1 /proc/loadavg)
    say "import: $2 the same file again (all unchanged): $w s wall, $c s CPU (load average $load)"
    row "re-import 100k unchanged $2" "$w" s "$target" max
}

member_import_bench() {
    local gen pgdir="" conn="${CONN:-}" name
    IMPORT_ROWS=${BENCH_IMPORT_ROWS:-100000}
    IMPORT_FILE=$TMP/import-$IMPORT_ROWS.xlsx
    gen=$(dirname "$BIN")/bench/member-import-gen
    [ -x "$gen" ] || die "no $gen (build first)"
    "$BIN" migrate --db "sqlite:$TMP/import-org.db" --log-level warn >/dev/null 2>&1
    "$gen" "$IMPORT_ROWS" "$(sqlite_first_branch)" "$IMPORT_FILE" || die "member-import-gen failed"
    say "import: $IMPORT_ROWS rows, $(du -k "$IMPORT_FILE" | cut -f1) KiB of xlsx"
    import_figures "sqlite:$TMP/import.db" SQLite 30
    [ "${BENCH_SKIP_PG:-0}" = 1 ] && return 0
    if [ -z "$conn" ]; then
        pgdir=$(mktemp -d -t dj-import-pg.XXXXXX)
        conn=$("$PGTEMP" start "$pgdir" 2>/dev/null) || die "could not start PostgreSQL"
    fi
    name=dj_import_$$
    psql "$conn" -qAt -c "CREATE DATABASE $name" >/dev/null || die "create database failed"
    DJ_KEYS=$TMP/import-pg.keys import_figures "${conn/dbname=postgres/dbname=$name}" PostgreSQL 60
    psql "$conn" -qAt -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
    [ -n "$pgdir" ] && "$PGTEMP" stop "$pgdir" >/dev/null 2>&1 || true
}

# The demo tree's first branch code (demo --seed 1 makes the same tree every time).
sqlite_first_branch() {
    "$BIN" demo --db "sqlite:$TMP/import-org.db" --members 20 --seed 1 --log-level warn >/dev/null 2>&1
    sqlite3 "$TMP/import-org.db" "SELECT code FROM orgs WHERE type = 'branch' ORDER BY id LIMIT 1"
}

if [ -z "${RESULTS:-}" ]; then   # run alone
    set -euo pipefail
    ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    BIN=${DJ_BIN:-$ROOT/build/dangjian}
    PGTEMP=$ROOT/scripts/pg-temp.sh
    TMP=$(mktemp -d -t dj-import-bench.XXXXXX)
    RESULTS=$TMP/results
    trap 'rm -rf "$TMP"' EXIT
    say() { printf '%s\n' "bench: $*" >&2; }
    die() { say "$*"; exit 1; }
    row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" | tee -a "$RESULTS"; }
fi
if [ "${BENCH_SKIP_IMPORT:-0}" != 1 ]; then
    member_import_bench
fi
