#!/usr/bin/env bash
# make bench: load GetSendQuota (v1), GetAccount (v2), SendEmail (v1 and v2,
# every message captured durably) with wrk at 16 and 64 connections against a
# fresh ephemeral sesbox on loopback; print req/s, p50/p99 latency, then send
# on until BENCH_FILL messages (default 1,000,000) are captured and print the
# server's peak RSS with that many. A benchmark, not a test: it fails only
# when sesbox cannot start or answers errors.
set -euo pipefail
bin=${1:-bin/sesbox}
here=$(cd "$(dirname "$0")" && pwd)
duration=${BENCH_SECONDS:-10}
threads=${BENCH_WRK_THREADS:-2}
. "$here/lib.sh"
# shellcheck disable=SC2086 # BENCH_SESBOX_ARGS is a list of flags
bench_start "$bin" ${BENCH_SESBOX_ARGS:-}

printf '%-14s %5s %12s %10s %10s %8s\n' operation conns "req/s" p50 p99 errors
for script in ${BENCH_SCRIPTS:-get_send_quota get_account send_email_v1 send_email_v2}; do
	for conns in 16 64; do
		out=$(wrk -t"$threads" -c"$conns" -d"${duration}s" --latency \
			-s "$here/$script.lua" "$url" 2>&1)
		rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
		p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
		p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
		errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr -s ' ' | paste -sd';' -)
		printf '%-14s %5s %12s %10s %10s %8s\n' "$script" "$conns" "$rps" "$p50" "$p99" "${errs:-0}"
		[ -z "$errs" ] || { echo "$out"; exit 1; }
	done
done
# Every accepted send is one access line; fill up to BENCH_FILL captured
# messages (default 1,000,000) so the RSS below is read with that many.
fill=${BENCH_FILL:-1000000}
while [ "$(captured)" -lt "$fill" ]; do
	wrk -t"$threads" -c64 -d5s -s "$here/send_email_v1.lua" "$url" >/dev/null
done
rss=$(awk '/^VmHWM:/ {print $2, $3}' "/proc/$pid/status")
echo "captured messages: $(captured)"
echo "peak RSS (VmHWM): $rss"
echo "machine: $(nproc) cores; wrk -t$threads on the same host; ${duration}s per run; log level ${BENCH_LOG_LEVEL:-info} to a file"
