#!/usr/bin/env bash
# bench/median.sh FILE... - merges the output of one bench/bench run per
# FILE (the same benchmark in separate processes) into one: every table row
# gets the median over the processes of its times and ratios, and its
# "ratio IQR" column becomes the lowest and highest of the processes' ratios.
# bench/run.sh gives each process the same code linked in another order:
# where the hot functions land moves a ratio by several percent (in one run
# of unchanged code a page listed 1.027-1.081 over five orders), so the
# median over several link orders is what the code costs, and the range is
# how much the layout alone moved it.  PostgreSQL's processes run the same
# binary (MEDIAN_OF says so in the footnote): there the range is how much a
# process's round trips moved it.  Lines that are not rows of a benchmark
# table (six columns) are taken from the first file.
set -euo pipefail
awk -v nfiles=$# -v of="${MEDIAN_OF:-each the same code in another link order}" '
function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return a[int((n + 1) / 2)]
}
FNR == 1 { file++; row = 0 }
/^\| [^-]/ && $0 !~ /^\| operation/ && split($0, f, "|") == 8 {
    row++
    name[row] = f[2]; base[row] = base[row] " " f[3]; gen[row] = gen[row] " " f[4]
    ratio[row] = ratio[row] " " f[5]; cpu[row] = cpu[row] " " f[7]
    if (file == 1) { line[FNR] = "ROW " row; last = FNR }
    next
}
file == 1 {
    if ($0 ~ /^\| operation/) sub(/  ratio IQR \|/, "ratio range |")
    line[FNR] = $0; last = FNR
}
END {
    for (i = 1; i <= last; i++) {
        if (!(i in line)) continue
        if (line[i] !~ /^ROW /) { print line[i]; continue }
        r = substr(line[i], 5) + 0
        n = split(ratio[r], q, " "); lo = q[1]; hi = q[1]
        for (k = 2; k <= n; k++) { if (q[k] + 0 < lo + 0) lo = q[k]; if (q[k] + 0 > hi + 0) hi = q[k] }
        printf "|%s| %10s | %10s | %5s | %5s-%5s | %5s |\n", name[r], median(base[r]),
               median(gen[r]), median(ratio[r]), lo, hi, median(cpu[r])
    }
    printf "\n(the median of %d processes, %s; ratio range: the lowest and highest of their ratios)\n", nfiles, of
}' "$@"
