# bench/session.sh: a log-in for the figures that read the whole tree, sourced by bench/run.sh
# and by the standalone scripts (uses $BIN, $TMP, $PY and die).
BENCH_PW='Bench-Passw0rd-2026'
# root_secretary DBURL KEYFILE USER: makes USER a branch secretary over the root org (org.read
# and member.* on the whole tree; the role needs no MFA step), unless it exists (cached DB).
root_secretary() {
    local root
    root=$(DJ_KEYS=$2 "$BIN" org list --db "$1" --parent root --limit 1 2>/dev/null | jq -r '.[0].code')
    [ -n "$root" ] && [ "$root" != null ] || die "no root org in $1"
    printf '%s\n' "$BENCH_PW" | DJ_KEYS=$2 "$BIN" user add "$3" --db "$1" --display-name 压测书记 \
        --role "branch_secretary@$root" --password-stdin >/dev/null 2>"$TMP/user-$3.err" ||
        grep -q -i -E 'exists|taken|已' "$TMP/user-$3.err" ||
        die "user add $3 failed: $(cat "$TMP/user-$3.err")"
}

# session BASEURL USER: logs USER in, prints the session cookie.
session() {
    $PY login "$1" "$2" "$BENCH_PW" 1 1 | cut -d' ' -f4
}
