# Shared by tests/kamailio-*.test, on top of tls-lib.sh: Kamailio (Debian's
# kamailio and kamailio-tls-modules) as a real SIP peer of sipktlsd. Each
# configuration is a template of tests/kamailio/ whose @-quoted words are
# filled in; Kamailio runs in the foreground with its runtime files in the
# test's temporary directory, and is stopped by pid with the test.
. "${srcdir:-.}/tests/tls-lib.sh"

KAM_TEMPLATES=$srcdir/tests/kamailio
KAM_TIMEOUT=${KAM_TIMEOUT:-60}

# unavailable REASON: no usable Kamailio here skips the test; under CI=true
# it fails it, so that CI never passes without having run it.
unavailable() {
	if [ "${CI:-}" = true ]; then
		fail "$* (CI=true: Kamailio is required; scripts/deps test installs it)"
	fi
	skip "$*"
}

# On failure, the Kamailio and sipp logs are shown after the daemon's.
eval "sipktls_$(declare -f fail)"
fail() {
	local f
	for f in "$T"/kam-*.log "$T"/*.out "$T"/*.msg "$T"/*.err; do
		[ -s "$f" ] || continue
		say "--- $(basename "$f") (last 40 lines)"
		tail -n 40 "$f" | sed 's/^/    /'
	done
	sipktls_fail "$@"
}

KAMAILIO=${KAMAILIO:-$(command -v kamailio || true)}
[ -n "$KAMAILIO" ] ||
    unavailable "kamailio is not installed (Debian packages kamailio kamailio-tls-modules)"
KAM_VERSION=$("$KAMAILIO" -v 2>/dev/null | sed -n 's/^version: kamailio \([^ ]*\).*/\1/p')
kam_tls=
for d in $("$KAMAILIO" -I 2>/dev/null | sed -n 's/^ *Default paths to modules: //p' | tr ':' ' '); do
	[ -f "$d/tls.so" ] && kam_tls=$d/tls.so
done
[ -n "$kam_tls" ] ||
    unavailable "Kamailio ${KAM_VERSION:-?} has no tls module (Debian package kamailio-tls-modules)"
command -v sipp >/dev/null ||
    unavailable "sipp (Debian package sip-tester) is not installed"
say "Kamailio $KAM_VERSION, sipp $(sipp -v 2>/dev/null | grep -o 'v[0-9][^ ,-]*' | head -1)"

# kam_render TEMPLATE OUT NAME=VALUE...: the template with each @NAME@ replaced.
kam_render() {
	local tmpl=$1 out=$2 kv script=""
	shift 2
	for kv in "$@"; do
		script="${script}s|@${kv%%=*}@|${kv#*=}|g;"
	done
	sed "$script" "$tmpl" >"$out"
	if grep -q '@[A-Z_]*@' "$out"; then
		fail "$(basename "$tmpl"): unfilled $(grep -o '@[A-Z_]*@' "$out" | sort -u | tr '\n' ' ')"
	fi
}

# kam_up NAME CFG-TEMPLATE TCP-PORT NAME=VALUE...: renders the Kamailio
# configuration and its tls.cfg into $T/kam-NAME/, checks it (an error
# there is the test's own, so it fails), starts Kamailio in the foreground
# (its log in $T/kam-NAME.log, its pid in KAM_PID) and waits until it
# listens on TCP-PORT (a tcp or tls listen address of the configuration).
kam_up() {
	local name=$1 tmpl=$2 port=$3 dir=$T/kam-$1 i
	shift 3
	mkdir -p "$dir/run"
	kam_render "$KAM_TEMPLATES/tls.cfg" "$dir/tls.cfg" PEER="$PEER" "$@"
	kam_render "$KAM_TEMPLATES/$tmpl" "$dir/kamailio.cfg" DIR="$dir" "$@"
	"$KAMAILIO" -c -f "$dir/kamailio.cfg" -w "$dir" -Y "$dir/run" \
	    >"$T/kam-$name-check.log" 2>&1 ||
	    fail "kamailio -c refuses $(basename "$tmpl") (see kam-$name-check.log)"
	# -DD: no daemon, but children; -E: log to stderr; small memory pools
	"$KAMAILIO" -DD -E -f "$dir/kamailio.cfg" -w "$dir" -Y "$dir/run" \
	    -P "$dir/run/kamailio.pid" -m 64 -M 8 >"$T/kam-$name.log" 2>&1 &
	KAM_PID=$!
	EXTRA_PIDS+=("$KAM_PID")
	for ((i = 0; i < 100; i++)); do
		listening "$port" && return 0
		if ! kill -0 "$KAM_PID" 2>/dev/null; then
			wait "$KAM_PID" || true
			sed 's/^/    /' "$T/kam-$name.log" | tail -n 20
			unavailable "Kamailio $KAM_VERSION does not start here (its log is above)"
		fi
		sleep 0.1
	done
	fail "Kamailio did not listen on $port within 10 s"
}

# kam_down: stops Kamailio (SIGTERM, which ends its children too).
kam_down() {
	stop_pid "$KAM_PID"
	wait "$KAM_PID" 2>/dev/null || true
}

# sipp_uas NAME PORT TRANSPORT CALLS: a sipp UAS (its built-in scenario) in
# the background that exits after CALLS calls; its pid in UAS_PID, its
# output in $T/NAME.out.
sipp_uas() {
	timeout "$KAM_TIMEOUT" sipp -sn uas -t "$3" -i 127.0.0.1 -p "$2" -m "$4" \
	    -nostdin -trace_err -error_file "$T/$1.err" >"$T/$1.out" 2>&1 &
	UAS_PID=$!
	EXTRA_PIDS+=("$UAS_PID")
}

# sipp_uac NAME TRANSPORT CALLS DEST: the sipp UAC's INVITE/ACK/BYE calls to
# DEST (host:port); returns sipp's exit status (0: every call succeeded).
sipp_uac() {
	timeout "$KAM_TIMEOUT" sipp -sn uac -t "$2" -i 127.0.0.1 -m "$3" -r 10 \
	    -nostdin -trace_err -error_file "$T/$1.err" "$4" >"$T/$1.out" 2>&1
}

# calls_ok NAME N: sipp's final statistics in $T/NAME.out count N
# successful calls and no failed one.
calls_ok() {
	grep -qE "Successful call +\| +[0-9]+ +\| +$2 " "$T/$1.out" &&
	    grep -qE 'Failed call +\| +0 +\| +0 ' "$T/$1.out"
}

# exits_0 PID: the background process exits with status 0.
exits_0() { wait "$1"; }

# until_true SECONDS COMMAND...: retries COMMAND every 0.1 s.
until_true() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

# kam_no_errors NAME: Kamailio's log has no ERROR (or worse) line; any
# found are shown.
kam_no_errors() {
	! grep -E '^ *[0-9]+\([0-9]+\) (ERROR|CRITICAL|ALERT|BUG):' "$T/kam-$1.log" >&2
}
