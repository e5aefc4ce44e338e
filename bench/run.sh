#!/usr/bin/env bash
# Runs the benchmarks of bench/README.md and prints their tables (markdown)
# on stdout; progress goes to stderr.
#
#   bench/run.sh [--n LIST] [--squared-n LIST] [--order1-n LIST] [--path-n LIST]
#                [--max-ref-n SPEC] [--timeout D] [--repeat K] [--python PATH] [--quick]
#
# 1. l1 loss, N in --n (default 1e3,1e4,1e5): ridgeline against HiGHS dual
#    simplex and interior point (SciPy's linprog on the same LP, built by
#    bench/highs_l1.py), the ratio of the solve times, and whether the
#    optimal objectives agree. HiGHS runs up to --max-ref-n (default dual
#    simplex to 1e5, about 6 minutes there; interior point to 1e4: from
#    1e4 on, HiGHS 1.2's interior point gives up on this badly scaled LP
#    and HiGHS re-solves it with dual simplex, so at 1e5 it would only
#    repeat the dual simplex solve).
# 2. squared loss, N in --squared-n (default 1e3 … 1e6): ridgeline alone
#    (SciPy's HiGHS interface has no QP), with peak memory and the growth
#    of the time with N.
# 3. order 1 (total variation, step networks), squared loss, N in
#    --order1-n (default 1e4 … 1e6), λ = 1e-3·N: ridgeline alone, as 2.
# 4. λ paths, squared loss, N in --path-n (default 1e4,1e5): the command
#    fit --lambda-path 50 against one fit at the path's middle λ.
#
# The measurements, with every objective and lower bound in full, are also
# saved as JSON in bench/out/l1.json, bench/out/squared.json,
# bench/out/order1.json and bench/out/path.json.
# Without SciPy the reference columns are empty; install it with
#   apt-get install -y python3-scipy
# The defaults finish in about 5 minutes on 2 cores (10 under heavy load), most of it HiGHS's
# dual simplex at N = 1e5; --quick (N ≤ 1e4, squared and order 1 ≤ 1e5, one run) in
# well under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."

n=1e3,1e4,1e5
squared_n=1e3,1e4,1e5,1e6
order1_n=1e4,1e5,1e6
path_n=1e4,1e5
max_ref_n=highs-ds=1e5,highs-ipm=1e4
timeout=600s
repeat=3
python=/usr/bin/python3
cmdline="bench/run.sh${*:+ $*}"

while [[ $# -gt 0 ]]; do
	case "$1" in
	--n) n=$2; shift 2 ;;
	--squared-n) squared_n=$2; shift 2 ;;
	--order1-n) order1_n=$2; shift 2 ;;
	--path-n) path_n=$2; shift 2 ;;
	--max-ref-n) max_ref_n=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--repeat) repeat=$2; shift 2 ;;
	--python) python=$2; shift 2 ;;
	--quick) n=1e3,1e4; squared_n=1e3,1e4,1e5; order1_n=1e4,1e5; path_n=1e4; repeat=1; shift ;;
	-h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument $1 (see bench/run.sh --help)" >&2; exit 2 ;;
	esac
done

mkdir -p bench/out
go build -o bench/out/ridgeline ./cmd/ridgeline
rl=bench/out/ridgeline
start=$(date +%s)

echo "Command: \`$cmdline\`, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || uname -m)," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) at the start;" \
	"$(go version | sed 's/^go version //'); ridgeline at $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(
		[[ -n "$(git status --porcelain 2>/dev/null)" ]] && echo ' with local changes')"
if "$python" -c 'import scipy' 2>/dev/null; then
	echo "Reference: $("$python" --version 2>&1) ($python) with SciPy $("$python" -c 'import scipy; print(scipy.__version__)')"
else
	echo "Reference: HiGHS not installed: apt-get install python3-scipy ($python cannot import scipy)"
fi
echo
echo "### l1 loss: ridgeline and HiGHS on the same LP"
echo
"$rl" bench --loss l1 --n "$n" --repeat "$repeat" --reference highs-ds,highs-ipm \
	--max-ref-n "$max_ref_n" --timeout "$timeout" --python "$python" --script bench/highs_l1.py \
	--save bench/out/l1.json
echo
echo "### squared loss: ridgeline alone"
echo
"$rl" bench --loss squared --n "$squared_n" --repeat "$repeat" --reference none \
	--save bench/out/squared.json
echo
echo "### order 1, squared loss: ridgeline alone"
echo
"$rl" bench --order 1 --loss squared --n "$order1_n" --repeat "$repeat" \
	--save bench/out/order1.json
echo
echo "### λ path: 50 values against one fit"
echo
"$rl" bench --loss squared --path 50 --n "$path_n" --repeat "$repeat" \
	--save bench/out/path.json
echo
echo "Total $(($(date +%s) - start)) s."
