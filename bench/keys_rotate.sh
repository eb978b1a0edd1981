#!/usr/bin/env bash
# bench/keys_rotate.sh: field-key rotation of a demo data set (issue 4 §6). Target: a rotation of
# 1,000,000 members in < 5 minutes, resumable after a kill.
#
#   bench/keys_rotate.sh DBURL KEYFILE [LABEL]
#
# A sqlite: database is copied (with its key file) into a temp dir first, so a cached data set
# stays as it was; a PostgreSQL database is rotated in place (bench/run.sh passes a throw-away
# one). Steps, each timed:
#   1. `keys verify` (opens every value; its digest of the plaintexts is the reference)
#   2. `keys rotate`: a new key, every value re-encrypted             (target < 300 s)
#   3. `keys rotate` again, SIGKILLed once its progress passes ~30%, then rerun: the rerun must
#      continue with the same key; rotate-until-kill + resume         (target < 300 s)
#   4. `keys status` (nothing pending) and `keys verify` (no failure, the same digest)
# Figures go to stdout as tab-separated "ROW name measured unit target kind" lines (bench/run.sh
# puts them in its table) and to stderr for humans. BENCH_KEYS_BATCH sets --batch (default 2000),
# BENCH_KEYS_KILL_AT the kill point in percent (default 30; 0 skips step 3).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DJ_BIN:-$ROOT/build/dangjian}
URL=${1:?usage: bench/keys_rotate.sh DBURL KEYFILE [LABEL]}
KEYS=${2:?usage: bench/keys_rotate.sh DBURL KEYFILE [LABEL]}
LABEL=${3:-}
BATCH=${BENCH_KEYS_BATCH:-2000}
KILL_AT=${BENCH_KEYS_KILL_AT:-30}

TMP=$(mktemp -d -t dj-keys-bench.XXXXXX)
ROTATE_PID=""
cleanup() {
    if [ -n "$ROTATE_PID" ]; then
        kill -KILL "$ROTATE_PID" 2>/dev/null || true
        wait "$ROTATE_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf 'bench: keys: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
row() {
    printf 'ROW\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"
    printf 'bench: %-34s %12s %s\n' "$1" "$2" "$3" >&2
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
dj() { "$BIN" "$@" --db "$URL" --keys "$KEYS"; }

[ -x "$BIN" ] || die "no binary at $BIN (build first, or set DJ_BIN)"
command -v jq >/dev/null || die "missing tool: jq"
if [ "${URL#sqlite:}" != "$URL" ]; then
    SRC=${URL#sqlite:}
    [ -f "$SRC" ] && [ -f "$KEYS" ] || die "no data set at $SRC (+ $KEYS)"
    say "copying $SRC ($(du -m "$SRC" | cut -f1) MB) to $TMP"
    cp "$SRC" "$TMP/rotate.db"
    cp "$KEYS" "$TMP/rotate.db.keys"
    chmod 600 "$TMP/rotate.db.keys"
    URL=sqlite:$TMP/rotate.db
    KEYS=$TMP/rotate.db.keys
    LABEL=${LABEL:-SQLite}
fi
LABEL=${LABEL:-PostgreSQL}
ROWS=$(dj keys status | jq -er '.columns["members.id_number"].total')
SIZE=$(awk -v m="$ROWS" 'BEGIN { if (m % 1000000 == 0) printf "%dM", m / 1000000;
                                 else if (m % 1000 == 0) printf "%dk", m / 1000; else print m }')

say "$LABEL: $ROWS members; verify (reference digest)"
t0=$(now)
dj keys verify >"$TMP/verify0.json" || die "verify failed before rotating"
row "keys verify $SIZE $LABEL" "$(elapsed "$t0" "$(now)")" s - info
DIGEST=$(jq -er .digest "$TMP/verify0.json")

say "$LABEL: rotate (batch $BATCH)"
t0=$(now)
dj keys rotate --batch "$BATCH" >"$TMP/rotate1.json" 2>"$TMP/rotate1.err" ||
    { tail -n 5 "$TMP/rotate1.err" >&2; die "rotate failed"; }
row "keys rotate $SIZE $LABEL" "$(elapsed "$t0" "$(now)")" s 300 max
[ "$(jq -r .rows "$TMP/rotate1.json")" = "$ROWS" ] || die "rotate moved $(jq -r .rows "$TMP/rotate1.json") rows, not $ROWS"

if [ "$KILL_AT" -gt 0 ]; then
    say "$LABEL: rotate again, SIGKILL at ~$KILL_AT%, then resume"
    t0=$(now)
    "$BIN" keys rotate --batch "$BATCH" --db "$URL" --keys "$KEYS" >/dev/null 2>"$TMP/rotate2.err" &
    ROTATE_PID=$!
    while kill -0 "$ROTATE_PID" 2>/dev/null; do
        pct=$(grep -o '([0-9]*%)' "$TMP/rotate2.err" 2>/dev/null | tail -n 1 | tr -dc 0-9 || true)
        [ -n "$pct" ] && [ "$pct" -ge "$KILL_AT" ] && break
        sleep 0.2
    done
    kill -KILL "$ROTATE_PID" 2>/dev/null || die "rotate ended before the kill: lower BENCH_KEYS_KILL_AT"
    wait "$ROTATE_PID" 2>/dev/null || true
    ROTATE_PID=""
    t1=$(now)
    KEY=$(dj keys status | jq -er .current_key)
    LEFT=$(dj keys status | jq -er .pending_rows)
    say "$LABEL: killed after $(elapsed "$t0" "$t1") s with key $KEY current, $LEFT rows left"
    t2=$(now)
    dj keys rotate --batch "$BATCH" >"$TMP/rotate3.json" 2>"$TMP/rotate3.err" ||
        { tail -n 5 "$TMP/rotate3.err" >&2; die "resume failed"; }
    t3=$(now)
    [ "$(jq -r .resumed "$TMP/rotate3.json")" = true ] || die "the rerun did not resume"
    [ "$(jq -r .key_id "$TMP/rotate3.json")" = "$KEY" ] || die "the rerun changed the key"
    row "keys resume after kill $SIZE $LABEL" "$(elapsed "$t2" "$t3")" s - info
    row "keys rotate killed+resumed $SIZE $LABEL" \
        "$(awk -v a="$(elapsed "$t0" "$t1")" -v b="$(elapsed "$t2" "$t3")" 'BEGIN { printf "%.1f", a + b }')" \
        s 300 max
fi

[ "$(dj keys status | jq -er .pending_rows)" = 0 ] || die "values left on older keys"
dj keys verify >"$TMP/verify1.json" || die "verify failed after rotating"
[ "$(jq -r .digest "$TMP/verify1.json")" = "$DIGEST" ] || die "plaintexts changed"
say "$LABEL: every value opens with key $(dj keys status | jq -er .current_key); plaintexts unchanged"
