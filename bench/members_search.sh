# bench/members_search.sh: member search figures (issue 5 targets), sourced by bench/run.sh
# (uses its row, start_server, stop_pid, say, die, $BIN, $TMP, $PY, $CACHE_DB, $CONN).
# On the 1M-member SQLite demo and, unless BENCH_SKIP_PG=1, the PostgreSQL demo run.sh built,
# as a branch secretary of the root org (the whole tree in scope, no MFA step), one keep-alive
# connection, sequential GETs taking the URLs of a list in turn:
#   (a) name prefix over the whole tree: 20 common surnames and 20 two-character prefixes,
#       ?name_prefix=..&per_page=20 (page and total);                          p99 < 50 ms
#   (b) ID number: ?q=<18 characters> for 40 members (blind index);           p99 < 50 ms
#   (c) a filtered page: the 党委 closest to 10,000 members, category=full, age bands,
#       sort=joined_on, pages 1-3;                                             p99 < 50 ms
#   (d) GET /api/v1/members/export.csv of that 党委 (every member, masked): 5 runs, the slowest
#       is reported;                                                           < 3 s
#   (e) the same as export.xlsx: 3 runs, the slowest;                          < 3 s
# The 1-minute load average is printed beside each engine's figures (the machine is shared).
# Skipped with BENCH_SKIP_SEARCH=1. Standalone: bench/members_search.sh DBURL KEYFILE LABEL.

search_n=${BENCH_SEARCH_N:-400}

search_loadavg() {
    cut -d' ' -f1 /proc/loadavg
}

# search_figures DBURL KEYFILE LABEL
search_figures() {
    local db=$1 keys=$2 label=$3 user=benchsearch cookie url pid
    local dir=$TMP/search-$label
    mkdir -p "$dir"
    root_secretary "$db" "$keys" "$user"
    # each list below is cycled through: with the answer cache on, most of them would be
    # answered from memory; these figures are about the queries (decision 0018)
    DJ_KEYS=$keys DJ_RESPONSE_CACHE_MB=0 start_server "search-$label" "$db"
    url=$SRV_URL pid=$SRV_PID
    cookie=$(session "$url" "$user") && [ -n "$cookie" ] || die "search: log-in failed ($label)"
    # the 党委 closest to 10,000 members
    curl -sf -H "Cookie: $cookie" "$url/api/v1/orgs?type=committee&per_page=200" |
        jq -r '.data | map(select(.members.total > 0)) | min_by((.members.total - 10000) | fabs) |
               "\(.id) \(.members.total) \(.code)"' >"$dir/committee"
    local cid ctotal
    cid=$(cut -d' ' -f1 "$dir/committee") ctotal=$(cut -d' ' -f2 "$dir/committee")
    [ -n "$cid" ] && [ "$cid" != null ] || die "search: no committee ($label)"
    say "search $label: 党委 $(cut -d' ' -f3 "$dir/committee") (org $cid, $ctotal members); load $(search_loadavg)"
    # (a) name prefixes
    : >"$dir/a"
    for p in 王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 高 罗 王伟 李娜 张伟 刘洋 陈静 \
        杨帆 黄磊 赵敏 吴涛 周杰 徐明 孙丽 马超 朱红 胡军 郭强 何平 林峰 高原 罗斌; do
        printf '%s/api/v1/members?name_prefix=%s&per_page=20\n' "$url" "$(jq -rn --arg s "$p" '$s|@uri')" >>"$dir/a"
    done
    # (b) ID numbers: full values from a revealed export of one branch (audited as such)
    local branch
    branch=$(curl -sf -H "Cookie: $cookie" "$url/api/v1/orgs?type=branch&per_page=200" | jq -r '.data | max_by(.members.total) | .id')
    curl -sf -H "Cookie: $cookie" "$url/api/v1/members/export.csv?org_id=$branch&reveal=1" |
        tail -n +2 | tr -d '\r' | cut -d, -f6 | grep -E '^[0-9]{17}[0-9X]$' | awk 'NR <= 40' |
        sed "s|^|$url/api/v1/members?q=|" >"$dir/b"
    [ -s "$dir/b" ] || die "search: no ID numbers to look up ($label)"
    # (c) filtered pages
    : >"$dir/c"
    for band in 25:35 30:40 35:45 40:50 45:55 50:60; do
        for page in 1 2 3; do
            printf '%s/api/v1/members?org_id=%s&category=full&age_min=%s&age_max=%s&sort=joined_on&page=%s&per_page=20\n' \
                "$url" "$cid" "${band%:*}" "${band#*:}" "$page" >>"$dir/c"
        done
    done
    local fig lat
    for fig in a b c; do
        lat=$($PY latency "@$dir/$fig" "$search_n" "$cookie") || die "search: latency $fig failed ($label)"
        case $fig in
        a) row "name prefix, whole tree $label p99" "$(echo "$lat" | cut -d' ' -f2)" ms 50 max ;;
        b) row "ID number search $label p99" "$(echo "$lat" | cut -d' ' -f2)" ms 50 max ;;
        c) row "filtered page (党委 subtree) $label p99" "$(echo "$lat" | cut -d' ' -f2)" ms 50 max ;;
        esac
        say "search $label ($fig): median $(echo "$lat" | cut -d' ' -f1) ms, p99 $(echo "$lat" | cut -d' ' -f2) ms"
    done
    # (d) CSV export of the 党委
    local worst=0 t rows
    for _ in 1 2 3 4 5; do
        t=$(curl -s -o "$dir/export.csv" -w '%{http_code} %{time_total}' -H "Cookie: $cookie" \
            "$url/api/v1/members/export.csv?org_id=$cid")
        [ "${t% *}" = 200 ] || die "search: export answered ${t% *} ($label)"
        worst=$(awk -v a="$worst" -v b="${t#* }" 'BEGIN { print (b > a) ? b : a }')
    done
    rows=$(($(wc -l <"$dir/export.csv") - 1))
    row "export CSV $rows members $label (max of 5)" "$(awk -v s="$worst" 'BEGIN { printf "%.2f", s }')" s 3 max
    # (e) the same as xlsx
    worst=0
    for _ in 1 2 3; do
        t=$(curl -s -o "$dir/export.xlsx" -w '%{http_code} %{time_total}' -H "Cookie: $cookie" \
            "$url/api/v1/members/export.xlsx?org_id=$cid")
        [ "${t% *}" = 200 ] || die "search: xlsx export answered ${t% *} ($label)"
        worst=$(awk -v a="$worst" -v b="${t#* }" 'BEGIN { print (b > a) ? b : a }')
    done
    row "export xlsx $rows members $label (max of 3)" "$(awk -v s="$worst" 'BEGIN { printf "%.2f", s }')" s 3 max
    row "load average (1 min) after search $label" "$(search_loadavg)" - - info
    stop_pid "$pid"
}

if [ -n "${BASH_SOURCE[0]:-}" ] && [ "${BASH_SOURCE[0]}" = "$0" ]; then
    # standalone: bench/members_search.sh DBURL KEYFILE LABEL
    set -euo pipefail
    ROOT=$(cd "$(dirname "$0")/.." && pwd)
    BIN=${DJ_BIN:-$ROOT/build/dangjian}
    PY="python3 $ROOT/bench/httpbench.py"
    TMP=$(mktemp -d -t dj-search.XXXXXX)
    PIDS=()
    trap 'for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; rm -rf "$TMP"' EXIT
    say() { printf '%s\n' "bench: $*" >&2; }
    die() { say "$*"; exit 1; }
    row() { printf 'bench: %-44s %10s %s (target %s)\n' "$1" "$2" "$3" "$4"; }
    start_server() {
        "$BIN" serve --db "$2" --listen 127.0.0.1:0 --log-level warn >"$TMP/$1.out" 2>"$TMP/$1.err" &
        SRV_PID=$!
        PIDS+=("$SRV_PID")
        for _ in $(seq 1 400); do
            grep -q 'listening on' "$TMP/$1.out" 2>/dev/null && break
            kill -0 "$SRV_PID" 2>/dev/null || { cat "$TMP/$1.err" >&2; die "server $1 exited"; }
            sleep 0.025
        done
        SRV_URL=$(grep -o 'http://[^ ]*' "$TMP/$1.out" | head -n 1)
    }
    stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
    . "$ROOT/bench/session.sh"
    search_figures "$1" "$2" "$3"
elif [ "${BENCH_SKIP_SEARCH:-0}" != 1 ]; then
    search_figures "sqlite:$CACHE_DB" "$CACHE_DB.keys" SQLite
    if [ "${BENCH_SKIP_PG:-0}" != 1 ] && [ -n "${CONN:-}" ]; then
        search_figures "$CONN" "$TMP/pg.keys" PostgreSQL
    fi
fi
