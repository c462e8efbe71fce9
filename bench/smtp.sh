#!/usr/bin/env bash
# make bench, part three: SMTP ingest. Starts a fresh ephemeral sesbox with
# a plaintext SMTP listener that takes AUTH without TLS
# (--smtp-auth-without-tls) and runs bench/smtpload against it at 16 and 64
# connections for BENCH_SMTP_SECONDS (default BENCH_SECONDS, 10) each:
# EHLO and AUTH PLAIN once per connection, then one small message after
# another (MAIL, RCPT and DATA pipelined), printing messages/s and the
# p50/p99 latency of a message (first command to "250 Ok <MessageId>").
# Then it walks the capture API (api=smtp) and requires exactly the
# acknowledged MessageIds to be there: every acknowledged message was
# stored, nothing else was. A benchmark, not a test: it fails only when
# sesbox cannot start, answers errors or lost an acknowledged message.
set -euo pipefail
bin=${1:-bin/sesbox}
load=${2:-build/bench/smtpload}
here=$(cd "$(dirname "$0")" && pwd)
secs=${BENCH_SMTP_SECONDS:-${BENCH_SECONDS:-10}}
. "$here/lib.sh"
bench_start "$bin" --smtp 127.0.0.1:0 --smtps off --smtp-auth-without-tls
smtp_port=$(sed -n 's/.*msg=listening .* smtp=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
[ -n "$smtp_port" ] || { echo "no smtp= in the listening line"; cat "$log"; exit 1; }

acked=$(mktemp)
stored=$(mktemp)
bench_files="$acked $stored"
printf '%-14s %5s %9s %12s %10s %10s %10s %7s\n' operation conns acked "msgs/s" p50 p99 max errors
for conns in ${BENCH_SMTP_CONNS:-16 64}; do
	out=$("$load" -c "$conns" -d "$secs" -f bench@example.com -t rcpt@example.net \
		-o "$acked" "127.0.0.1:$smtp_port") || { echo "$out"; exit 1; }
	field() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" <<<" $out"; }
	printf '%-14s %5s %9s %12s %8sms %8sms %8sms %7s\n' smtp_ingest "$conns" \
		"$(field acked)" "$(field msgs_per_s)" "$(field p50_ms)" "$(field p99_ms)" \
		"$(field max_ms)" "$(field errors)"
done

# Every acknowledged MessageId is captured, and only those.
/usr/bin/python3 - "$url/_sesbox/api/v1/messages" >"$stored" <<'PY'
import json, sys, urllib.request
api, cursor = sys.argv[1], None
while True:
    q = "?api=smtp&limit=1000" + ("&cursor=" + cursor if cursor else "")
    page = json.load(urllib.request.urlopen(api + q))
    for m in page["messages"]:
        print(m["MessageId"])
    cursor = page["next_cursor"]
    if cursor is None:
        break
PY
n_acked=$(wc -l <"$acked")
n_stored=$(wc -l <"$stored")
if ! cmp -s <(sort "$acked") <(sort "$stored"); then
	echo "acknowledged $n_acked, captured $n_stored: they differ"
	diff <(sort "$acked") <(sort "$stored") | head -20
	exit 1
fi
echo "captured: all $n_stored acknowledged messages, nothing else"
rss=$(awk '/^VmHWM:/ {print $2, $3}' "/proc/$pid/status")
echo "peak RSS (VmHWM): $rss"
echo "machine: $(nproc) cores; smtpload on the same host, plaintext (no TLS); ${secs}s per run; log level ${BENCH_LOG_LEVEL:-info} to a file"
