# bench/auth.sh: identity figures (issue 4), sourced by bench/run.sh (uses its row, start_server,
# stop_pid, wrk_run helpers, $BIN, $TMP, $PY, $DUR).
#   - log-in with Argon2id calibrated to ~100 ms (the server's default --password-ms 100):
#     req/s with 2 client threads (2 cores) and median/p99 of sequential log-ins;
#   - an authenticated (session cookie), org-scoped GET of 20 members with masked personal data:
#     wrk -c64 req/s and p99, beside the unauthenticated health endpoint in the same run
#     (target >= 50% of health's req/s); wrk repeats one URL, so this is the answer cache's
#     figure, and a second server with response_cache_mb 0 gives the queries' own (info).
# Data: its own 100,000-member demo, in $TMP on SQLite and, unless BENCH_SKIP_PG=1, in a
# database dj_auth of run.sh's PostgreSQL (the query is bounded by the branch, not the
# database). Skipped with BENCH_SKIP_AUTH=1.

auth_figures() {   # auth_figures DBURL LABEL
    local db=$1 L=$2 branch user=benchsec pw='Bench-Passw0rd-2026' out cookie
    say "auth $L: 100,000-member demo for the identity figures"
    "$BIN" migrate --db "$db" >/dev/null 2>&1 || die "auth: migrate failed"
    "$BIN" demo --db "$db" --members 100000 --seed 1 >/dev/null 2>"$TMP/auth-demo.err" ||
        die "auth: demo failed: $(tail -n 3 "$TMP/auth-demo.err")"
    # the biggest branch: a page of 20 needs 20 members
    "$BIN" org list --db "$db" --type branch --limit 500 2>/dev/null |
        jq -r 'max_by(.members.total) | "\(.code) \(.id)"' >"$TMP/auth-branch"
    branch=$(cut -d' ' -f1 "$TMP/auth-branch")
    [ -n "$branch" ] && [ "$branch" != null ] || die "auth: no branch in the demo"
    printf '%s\n' "$pw" | "$BIN" user add "$user" --db "$db" --display-name 压测书记 \
        --role "branch_secretary@$branch" --password-stdin >/dev/null 2>"$TMP/auth-user.err" ||
        die "auth: user add failed: $(cat "$TMP/auth-user.err")"
    local branch_id
    branch_id=$(cut -d' ' -f2 "$TMP/auth-branch")
    start_server auth "$db"
    local url=$SRV_URL pid=$SRV_PID
    say "auth: 40 log-ins over 2 threads (Argon2id as calibrated at start-up)"
    out=$($PY login "$url" "$user" "$pw" 40 2) || die "auth: log-in failed"
    row "log-in req/s (2 clients) $L" "$(echo "$out" | cut -d' ' -f1)" req/s - info
    out=$($PY login "$url" "$user" "$pw" 30 1) || die "auth: log-in failed"
    row "log-in median (sequential) $L" "$(echo "$out" | cut -d' ' -f2)" ms 100 info
    row "log-in p99 (sequential) $L" "$(echo "$out" | cut -d' ' -f3)" ms - info
    cookie=$(echo "$out" | cut -d' ' -f4)
    local path="/api/v1/members?org_id=$branch_id&per_page=20" n
    n=$(curl -s -H "Cookie: $cookie" "$url$path" | jq '.data | length')
    [ "$n" = 20 ] || die "auth: the member page has $n rows, not 20"
    page_figures "$url" "$cookie" "$path" "$L" "" min
    stop_pid "$pid"
    # the same with the answer cache off: every request runs the session check (from memory
    # while nothing changes), the scope check and the queries (decision 0018)
    DJ_RESPONSE_CACHE_MB=0 start_server auth-nocache "$db"
    page_figures "$SRV_URL" "$cookie" "$path" "$L" ", no answer cache" info
    stop_pid "$SRV_PID"
}

# page_figures URL COOKIE PATH LABEL SUFFIX KIND: health and the member page, ROUNDS rounds.
page_figures() {
    local url=$1 cookie=$2 path=$3 L=$4 S=$5 kind=$6
    local h g best_h=0 best_g=0 g_p99=0 round
    for round in $(seq 1 "$ROUNDS"); do
        say "auth round $round/$ROUNDS$S: health, then the authenticated member page"
        h=$(wrk_run "$url/api/v1/health")
        g=$(wrk -t2 -c64 -d"${DUR}s" --timeout 10s --latency -H "Cookie: $cookie" "$url$path" |
            tee -a "$TMP/wrk.log" | awk '
            /^Requests\/sec:/ { rps = $2 }
            /^  Non-2xx/ { bad = $NF }
            $1 == "99%" {
                v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                ms = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : (u == "m") ? v * 60000 : v
            }
            END { if (bad > 0) { print "0 0"; exit } printf "%.0f %.2f\n", rps, ms }')
        [ "${h% *}" -gt "$best_h" ] && best_h=${h% *}
        if [ "${g% *}" -gt "$best_g" ]; then best_g=${g% *} g_p99=${g#* }; fi
    done
    [ "$best_g" -gt 0 ] || die "auth: the member page answered non-2xx under load$S"
    local half
    half=$(awk -v h="$best_h" 'BEGIN { printf "%.0f", h / 2 }')
    row "health req/s (same run, baseline) $L$S" "$best_h" req/s - info
    if [ "$kind" = min ]; then
        row "auth GET 20 members req/s $L" "$best_g" req/s "$half" min
        row "auth GET 20 members / health $L" "$(awk -v g="$best_g" -v h="$best_h" 'BEGIN { printf "%.2f", (h > 0) ? g / h : 0 }')" x 0.50 min
    else
        row "auth GET 20 members req/s $L$S" "$best_g" req/s - info
        row "auth GET 20 members / health $L$S" "$(awk -v g="$best_g" -v h="$best_h" 'BEGIN { printf "%.2f", (h > 0) ? g / h : 0 }')" x - info
    fi
    row "auth GET 20 members p99 $L$S" "$g_p99" ms - info
}

if [ "${BENCH_SKIP_AUTH:-0}" != 1 ]; then
    auth_figures "sqlite:$TMP/auth.db" SQLite
    if [ "${BENCH_SKIP_PG:-0}" != 1 ] && [ -n "${CONN:-}" ]; then
        psql "$CONN" -qAt -c 'DROP DATABASE IF EXISTS dj_auth' \
            -c 'CREATE DATABASE dj_auth' >/dev/null || die "auth: no PostgreSQL database"
        DJ_KEYS=$TMP/auth-pg.keys auth_figures "${CONN/dbname=postgres/dbname=dj_auth}" PostgreSQL
    fi
fi
