# bench/sheet_read.sh: spreadsheet reading figures (issue 5 import), sourced by bench/run.sh (uses
# its row, say, die, $BIN, $TMP). build/bench/sheet-read writes a 100,000-row x 20-column
# member-like sheet with our writer as xlsx and as CSV in $TMP and reads it back (best of 3);
# the import as a whole must take < 30 s, reading gets 3 s of it. Wall and CPU time are both
# reported: on a shared machine the CPU figure is the one that says what the code costs.
# BENCH_SHEET_ROWS (default 100000); skipped with BENCH_SKIP_SHEET=1.

sheet_figures() {
    local tool out
    tool=$(dirname "$BIN")/bench/sheet-read
    [ -x "$tool" ] || die "no $tool (build first)"
    say "sheet: write and read ${BENCH_SHEET_ROWS:-100000} rows x 20 columns (xlsx and CSV)"
    out=$("$tool" "${BENCH_SHEET_ROWS:-100000}" "$TMP") || die "sheet-read failed"
    while IFS=$'\t' read -r tag name measured unit target kind; do
        [ "$tag" = ROW ] && row "$name" "$measured" "$unit" "$target" "$kind"
    done <<<"$out"
}

if [ "${BENCH_SKIP_SHEET:-0}" != 1 ]; then
    sheet_figures
fi
