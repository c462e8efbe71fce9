#!/usr/bin/env bash
# make bench, part two: the capture store's listing. Seeds a fresh
# ephemeral sesbox with BENCH_CAPTURE_SIZES captured messages in turn
# (default "10000 100000") and at each size times GET
# /_sesbox/api/v1/messages with wrk on one connection (p50/p99 over
# BENCH_CAPTURE_SECONDS, default 5, per query): the first page, filters
# that match many, a few or none (the last walks every message), and a
# page deep in the cursor chain. A benchmark, not a test: it fails only
# when sesbox cannot start or answers errors.
set -euo pipefail
bin=${1:-bin/sesbox}
here=$(cd "$(dirname "$0")" && pwd)
secs=${BENCH_CAPTURE_SECONDS:-5}
sizes=${BENCH_CAPTURE_SIZES:-10000 100000}
. "$here/lib.sh"
bench_start "$bin"

api="$url/_sesbox/api/v1/messages"
# Walks the listing by pages of 1,000 from the newest: prints the count,
# or with an argument, the cursor that starts after that many messages.
walk() {
	/usr/bin/python3 - "$api" "${1:-0}" <<'PY'
import json, sys, urllib.request
api, skip = sys.argv[1], int(sys.argv[2])
n, cursor = 0, None
while True:
    left = skip - n if skip else 1000
    q = "?limit=%d" % min(1000, left) + ("&cursor=" + cursor if cursor else "")
    page = json.load(urllib.request.urlopen(api + q))
    n += len(page["messages"])
    cursor = page["next_cursor"]
    if cursor is None or (skip and n >= skip):
        break
print(cursor if skip else n)
PY
}
# Sends until at least $1 messages are captured; prints how many there are.
seed() {
	local want=$1 have wpid
	have=$(captured)
	if [ "$have" -lt "$want" ]; then
		# wrk runs for its whole -d even when its threads stop: stopped
		# by SIGINT once the log counts enough.
		BENCH_SEED_PER_THREAD=$(( (want - have + 1) / 2 )) \
			wrk -t2 -c16 -d600s -s "$here/seed_messages.lua" "$url" >/dev/null &
		wpid=$!
		while [ "$(captured)" -lt "$want" ] && kill -0 "$wpid" 2>/dev/null; do
			read -r -t 0.2 <> <(:) || true
		done
		kill -INT "$wpid" 2>/dev/null || true
		wait "$wpid" 2>/dev/null || true
	fi
	walk
}
measure() {
	local name=$1 query=$2 out p50 p99 rps errs matched
	matched=$(curl -fsS "$api?$query" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["messages"]))')
	out=$(wrk -t1 -c1 -d"${secs}s" --latency "$api?$query" 2>&1)
	rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
	errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr -s ' ' | paste -sd';' -)
	printf '%9s  %-26s %7s %10s %10s %10s\n' "$have" "$name" "$matched" "$p50" "$p99" "$rps"
	[ -z "$errs" ] || { echo "$out"; exit 1; }
}

printf '%9s  %-26s %7s %10s %10s %10s\n' messages query page p50 p99 "req/s"
for size in $sizes; do
	have=$(seed "$size")
	measure "first page" "limit=100"
	measure "to, ~1 in 1000" "to=needle@example.org"
	measure "to, none (full walk)" "to=nobody@example.org"
	measure "q, none (full walk)" "q=no-such-text"
	measure "event, none (full walk)" "event=Bounce"
	measure "subject, all" "subject=SEED+MESSAGE"
	measure "tag+event" "tag=campaign:c3&event=Delivery"
	measure "kind+from+since" "kind=send&from=bench@&since=2000-01-01T00:00:00Z"
	measure "page at $((have / 2))" "cursor=$(walk $((have / 2)))"
done
rss=$(awk '/^VmHWM:/ {print $2, $3}' "/proc/$pid/status")
echo "peak RSS (VmHWM): $rss"
echo "machine: $(nproc) cores; wrk -t1 -c1 on the same host; ${secs}s per query; pages of 100 (the default)"
