#!/usr/bin/env bash
# make bench, part four: delivery throughput. Starts bench/smtpsink (an
# SMTP sink that answers 250 to everything and counts what it accepted) and
# a fresh ephemeral sesbox that relays all its mail to it in plaintext
# (--deliver relay --relay 127.0.0.1:PORT --relay-tls off), then for each
# round in BENCH_DELIVER_RCPTS (default "10 1": recipients per message)
# submits BENCH_DELIVER_MESSAGES messages (default 20,000) as fast as
# bench/smtpload can over SMTP (BENCH_DELIVER_CONNS connections, default
# 16) and times the round from the first submission until POST
# /_sesbox/api/v1/queue/flush has returned and the sink holds every
# recipient submitted. It prints recipients and messages delivered per
# second, then the peak RSS. BENCH_DELIVERY_THREADS and
# BENCH_DELIVERY_CONNECTIONS (default 8 and 4) become sesbox's
# --delivery-threads and --delivery-connections; BENCH_SINK_DELAY_MS (default
# 0) makes the sink hold each end-of-data answer that long. A benchmark, not
# a test: it fails only when sesbox cannot start or take mail, or the sink
# did not receive exactly the recipients submitted within
# BENCH_DELIVER_TIMEOUT seconds (default 600) a round (a clean run neither
# loses nor duplicates one).
set -euo pipefail
bin=${1:-bin/sesbox}
load=${2:-build/bench/smtpload}
sink=${3:-build/bench/smtpsink}
here=$(cd "$(dirname "$0")" && pwd)
messages=${BENCH_DELIVER_MESSAGES:-20000}
conns=${BENCH_DELIVER_CONNS:-16}
threads=${BENCH_DELIVERY_THREADS:-8}
dconns=${BENCH_DELIVERY_CONNECTIONS:-4}
delay=${BENCH_SINK_DELAY_MS:-0}
limit=${BENCH_DELIVER_TIMEOUT:-600}
. "$here/lib.sh"

sink_out=$(mktemp)
"$sink" -d "$delay" 0 >"$sink_out" &
sink_pid=$!
bench_files=$sink_out
bench_pids=$sink_pid
trap 'kill "$sink_pid" 2>/dev/null || true; rm -f "$sink_out"' EXIT
sink_port=
for _ in $(seq 1 200); do
	sink_port=$(sed -n 's/^port=//p' "$sink_out")
	[ -n "$sink_port" ] && break
	kill -0 "$sink_pid" 2>/dev/null || break
	read -r -t 0.05 <> <(:) || true
done
[ -n "$sink_port" ] || { echo "smtpsink did not start"; exit 1; }

# bench_start's trap replaces ours and stops the sink too (bench_pids).
bench_start "$bin" --smtp 127.0.0.1:0 --smtps off --smtp-auth-without-tls \
	--deliver relay --relay "127.0.0.1:$sink_port" --relay-tls off \
	--delivery-threads "$threads" --delivery-connections "$dconns"
smtp_port=$(sed -n 's/.*msg=listening .* smtp=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
[ -n "$smtp_port" ] || { echo "no smtp= in the listening line"; cat "$log"; exit 1; }

now_us() { echo "${EPOCHREALTIME/[.,]/}"; }
# A field of smtpload's last line ($out).
field() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" <<<" $out" | tail -n 1; }
# The recipients the sink has accepted so far (it prints its counts on
# SIGUSR1, one line each time).
sink_rcpts() {
	local lines
	lines=$(wc -l <"$sink_out")
	kill -USR1 "$sink_pid"
	while [ "$(wc -l <"$sink_out")" -le "$lines" ]; do
		kill -0 "$sink_pid" 2>/dev/null || { echo "smtpsink exited" >&2; exit 1; }
		read -r -t 0.01 <> <(:) || true
	done
	tail -n 1 "$sink_out" | sed -n 's/.* rcpts=\([0-9]*\).*/\1/p'
}
# Returns once the queue has settled. sesbox answers 503 after its own
# timeout (30 s) when it has not: asked again until $deadline.
flush() {
	local out
	while :; do
		out=$(curl -sS -X POST -w ' %{http_code}' "$url/_sesbox/api/v1/queue/flush") ||
			{ echo "queue/flush: no answer"; cat "$log"; exit 1; }
		case $out in
		*' 200') grep -E '"flushed": *true' <<<"$out" >/dev/null && return ;;
		*' 503') [ "$SECONDS" -ge "$deadline" ] || continue ;;
		esac
		echo "queue/flush: $out (after up to ${limit}s)"
		exit 1
	done
}

printf '%-12s %8s %9s %10s %9s %9s %10s %9s\n' operation rcpts/msg messages recipients submit_s total_s "rcpts/s" "msgs/s"
expected=0
for r in ${BENCH_DELIVER_RCPTS:-10 1}; do
	deadline=$((SECONDS + limit))
	t0=$(now_us)
	out=$("$load" -c "$conns" -d 3600 -m "$messages" -r "$r" -f bench@example.com \
		-t rcpt@example.net "127.0.0.1:$smtp_port" 2>&1) || true
	t_sub=$(now_us)
	acked=$(field acked)
	rcpts=$(field rcpts)
	if [ -z "$rcpts" ] || [ "${acked:-0}" -eq 0 ]; then
		echo "smtpload: no message was accepted: $out"
		exit 1
	fi
	[ "$(field errors)" = 0 ] || echo "smtpload: some submissions failed (counted as not submitted): $out"
	expected=$((expected + rcpts))
	flush
	t1=$(now_us)
	got=$(sink_rcpts)
	# The flush settles what is due; a recipient deferred (not due yet)
	# may still be on its way: waited for, then flushed again.
	if [ "$got" -lt "$expected" ]; then
		echo "flush returned with $((expected - got)) recipients not at the sink yet: waiting"
		while [ "$got" -lt "$expected" ] && [ "$SECONDS" -lt "$deadline" ]; do
			read -r -t 0.05 <> <(:) || true
			got=$(sink_rcpts)
		done
		flush
		t1=$(now_us)
		got=$(sink_rcpts)
	fi
	if [ "$got" -ne "$expected" ]; then
		echo "submitted $expected recipients in all, the sink received $got"
		exit 1
	fi
	awk -v r="$r" -v m="$acked" -v n="$rcpts" -v t0="$t0" -v ts="$t_sub" -v t1="$t1" 'BEGIN {
		s = (t1 - t0) / 1e6
		printf "%-12s %8d %9d %10d %9.2f %9.2f %10.0f %9.0f\n", "deliver_r" r, r, m, n, (ts - t0) / 1e6, s, n / s, m / s
	}'
done
rss=$(awk '/^VmHWM:/ {print $2, $3}' "/proc/$pid/status")
echo "sink: every recipient submitted received once ($expected in all)"
echo "peak RSS (VmHWM): $rss"
echo "machine: $(nproc) cores; smtpload (-c $conns) and smtpsink on the same host, plaintext; --delivery-threads $threads --delivery-connections $dconns; sink delay ${delay} ms; log level ${BENCH_LOG_LEVEL:-info} to a file"
