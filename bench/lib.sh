# Sourced by the bench scripts: bench_start BIN [ARGS...] starts a fresh
# ephemeral sesbox on a loopback port with unthrottled quotas (the
# benchmarks measure sesbox, not SES's limits), waits until it answers,
# verifies bench@example.com and sets pid, log and url. Its SMTP listeners
# take free ports unless ARGS name them (--smtp, --smtps, --feedback-smtp). It is stopped
# and its log removed when the script exits, with any files the script
# lists in bench_files and any processes it lists in bench_pids.
bench_files=
bench_pids=
bench_start() {
	local bin=$1 port= smtp=()
	shift
	log=$(mktemp)
	trap 'kill "$pid" $bench_pids 2>/dev/null || true; wait "$pid" $bench_pids 2>/dev/null || true; rm -f "$log" $bench_files' EXIT
	if "$bin" --help 2>/dev/null | grep -- '^ *--smtp ' >/dev/null; then
		[[ " $* " == *" --smtp "* ]] || smtp+=(--smtp 127.0.0.1:0)
		[[ " $* " == *" --smtps "* ]] || smtp+=(--smtps 127.0.0.1:0)
		[[ " $* " == *" --feedback-smtp "* ]] || smtp+=(--feedback-smtp 127.0.0.1:0)
	fi
	"$bin" --ephemeral --listen 127.0.0.1:0 --log-level "${BENCH_LOG_LEVEL:-info}" \
		--max-send-rate 1000000000 --max-24h-send -1 "${smtp[@]}" "$@" 2>"$log" &
	pid=$!
	for _ in $(seq 1 200); do
		port=$(sed -n 's/.*msg=listening .*addr=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
		[ -n "$port" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
		read -r -t 0.05 <> <(:) || true
	done
	[ -n "$port" ] || { echo "sesbox did not start"; cat "$log"; exit 1; }
	url="http://127.0.0.1:$port"
	curl -fsS "$url/_sesbox/health" >/dev/null
	curl -fsS -d 'Action=VerifyEmailIdentity&EmailAddress=bench%40example.com' "$url/" >/dev/null
}

# How many sends the server has answered 200 (each one captured).
captured() { grep -c 'op=SendEmail status=200' "$log" || true; }
