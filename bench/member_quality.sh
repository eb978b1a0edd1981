# bench/member_quality.sh: the data-quality report (issue 5 §8) over the cached $SIZE SQLite data
# set, sourced by bench/run.sh (uses its row, say, die, $BIN, $TMP, $CACHE_DB). On a copy of the
# data set (the run writes its results), a run over every org is queued with sqlite3 and
# executed by `dangjian jobs run --once` (the same job the server runs): wall time of the whole
# run (stream, rules, duplicates, roll-up, write). Target: bounded, < 60 s for 1,000,000
# members (the report is a background job; the figure is what a refresh costs).
# Skipped with BENCH_SKIP_QUALITY=1.

quality_figures() {
    local db=$TMP/quality.db t0 t1 out
    command -v sqlite3 >/dev/null || die "sqlite3 is needed for the quality bench"
    say "quality: copying the $SIZE data set"
    cp "$CACHE_DB" "$db"
    cp "$CACHE_DB.keys" "$db.keys"
    "$BIN" migrate --db "sqlite:$db" >/dev/null || die "migrate failed (quality)"
    sqlite3 "$db" "INSERT INTO member_quality_runs (org_id, org_path, state, created_at)
                   VALUES (0, '', 'queued', 0);
                   INSERT INTO jobs (kind, state, params, done, total, created_at, updated_at)
                   VALUES ('member.quality', 'queued',
                           '{\"run_id\":' || (SELECT MAX(id) FROM member_quality_runs) || '}',
                           0, 0, 0, 0);" || die "could not queue the quality run"
    say "quality: one run over all members"
    t0=$(date +%s.%N)
    "$BIN" jobs run --once --db "sqlite:$db" --keys "$db.keys" 2>"$TMP/quality.err" ||
        { tail -n 5 "$TMP/quality.err" >&2; die "quality job failed"; }
    t1=$(date +%s.%N)
    out=$(sqlite3 "$db" "SELECT state || ' ' || COALESCE(result, error) FROM jobs
                         WHERE kind = 'member.quality' ORDER BY id DESC LIMIT 1")
    say "quality: $out"
    case $out in done*) ;; *) die "quality job did not finish: $out" ;; esac
    row "quality report $SIZE SQLite" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" s 60 max
    rm -f "$db" "$db.keys" "$db-wal" "$db-shm"
}

if [ "${BENCH_SKIP_QUALITY:-0}" != 1 ]; then
    quality_figures
fi
