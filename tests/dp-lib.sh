# Shared by tests/dp-*.test: runs the dataplane test driver, SIP backends and
# TLS peers on ephemeral loopback ports in a temporary directory, and removes
# every process and file it made, whatever way the test ends.

: "${srcdir:=.}" "${builddir:=.}"
builddir=$(cd "$builddir" && pwd)
srcdir=$(cd "$srcdir" && pwd)
TEST=$(basename "$0" .test)
DPB=$builddir/tests/dataplane
DRIVER=$DPB/dp_driver
READY_TIMEOUT=${READY_TIMEOUT:-20}
# set by a test to run the driver under a wrapper, such as valgrind
DRIVER_WRAPPER=${DRIVER_WRAPPER:-}

T=$(mktemp -d "${TMPDIR:-/tmp}/sipktls-$TEST.XXXXXX")
PIDS=()

say() { printf '%s: %s\n' "$TEST" "$*"; }
skip() { say "SKIP: $*"; exit 77; }

fail() {
	local f
	say "FAIL: $*"
	for f in "$T"/*.err "$T"/*.out; do
		[ -s "$f" ] || continue
		say "--- $(basename "$f") (last 25 lines)"
		tail -n 25 "$f" | sed 's/^/    /'
	done
	exit 1
}

check() {
	local what=$1
	shift
	if "$@"; then
		say "ok - $what"
	else
		fail "$what"
	fi
}

stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? pid
	for pid in "${PIDS[@]}"; do
		stop_pid "$pid"
	done
	wait 2>/dev/null || true
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

[ -x "$DRIVER" ] || skip "no $DRIVER (make check builds it)"
command -v openssl >/dev/null || skip "openssl is not installed"

# bg NAME COMMAND...: runs COMMAND in the background, output in $T/NAME.out
# and $T/NAME.err; its pid in $NAME_PID (dashes become underscores).
bg() {
	local name=$1
	shift
	# emptied here, not only in the child: a restarted program's old
	# "ready" must not satisfy wait_line
	: >"$T/$name.out"
	: >"$T/$name.err"
	"$@" >"$T/$name.out" 2>"$T/$name.err" &
	PIDS+=($!)
	printf -v "${name//-/_}_PID" '%s' "$!"
}

# into NAME COMMAND...: runs COMMAND with its output in $T/NAME.out and .err
# (so that check's own message still reaches the log).
into() {
	local name=$1
	shift
	"$@" >"$T/$name.out" 2>"$T/$name.err"
}

# wait_line NAME PATTERN: waits until $T/NAME.out has a line matching PATTERN.
wait_line() {
	local i
	for i in $(seq $((READY_TIMEOUT * 10))); do
		grep -q "$2" "$T/$1.out" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "$1 did not print '$2' within ${READY_TIMEOUT}s"
}

# value NAME KEY: the second word of the first line of $T/NAME.out starting KEY.
value() { awk -v k="$2" '$1 == k { print $2; exit }' "$T/$1.out"; }

# until_true SECONDS COMMAND...: retries COMMAND every 0.1 s.
until_true() {
	local n=$(($1 * 10)) i
	shift
	for i in $(seq "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# free_port: a loopback port free for both TCP and UDP, for programs (sipp)
# that cannot report the port they bound. Below the kernel's ephemeral range,
# and unused by any socket, not only listeners: a port another test's
# outgoing connection holds cannot be bound either.
free_port() {
	local p i low
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range
	[ "$low" -gt 21000 ] || low=32768
	for i in $(seq 50); do
		p=$((20000 + RANDOM % (low - 20000)))
		if ! ss -Hantu "sport = :$p" | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	fail "no free port"
}

make_certs() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
		-subj "/CN=relay.test" >/dev/null 2>&1 || fail "openssl req (server)"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/ckey.pem" -out "$T/ccert.pem" -days 2 \
		-subj "/CN=pbx.example.net" >/dev/null 2>&1 || fail "openssl req (client)"
}

# driver NAME ARGS...: starts dp_driver with a control socket $T/NAME.sock.
driver() {
	local name=$1
	shift
	bg "$name" $DRIVER_WRAPPER "$DRIVER" -C "$T/$name.sock" "$@"
	wait_line "$name" '^ready'
}

# dctl NAME COMMAND...: the driver's control socket.
dctl() {
	local name=$1
	shift
	"$DRIVER" -C "$T/$name.sock" "$@"
}

# counter NAME KEY: one dataplane counter of driver NAME.
counter() { dctl "$1" counters | awk -v k="$2" '$1 == k { print $2 }'; }

# counter_is NAME KEY VALUE / counter_ge NAME KEY VALUE
counter_is() { [ "$(counter "$1" "$2")" = "$3" ]; }
counter_ge() { [ "$(counter "$1" "$2")" -ge "$3" ]; }

# sanitized: built with ASan, whose quarantine and redzones make RSS meaningless.
sanitized() { ldd "$DRIVER" 2>/dev/null | grep -q libasan; }

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
nfds() { ls "/proc/$1/fd" | wc -l; }

# options_msg N: an OPTIONS request with CSeq N.
options_msg() {
	printf 'OPTIONS sip:backend@example.com SIP/2.0\r\n'
	printf 'Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-dp-%s\r\n' "$1"
	printf 'Max-Forwards: 70\r\n'
	printf 'From: <sip:peer@example.com>;tag=p%s\r\n' "$1"
	printf 'To: <sip:backend@example.com>\r\n'
	printf 'Call-ID: dp-test-%s@example.com\r\n' "$1"
	printf 'CSeq: %s OPTIONS\r\n' "$1"
	printf 'Content-Length: 0\r\n\r\n'
}

# s_client PORT SECONDS [ARGS...]: stdin goes to the relay; stays SECONDS
# after stdin ends, then sends close_notify and exits. Stdout is what the
# relay sent, byte for byte; add -msg to see alerts (close_notify) there.
s_client() {
	local port=$1 secs=$2
	shift 2
	{ cat; sleep "$secs"; } | timeout $((secs + 10)) openssl s_client \
		-connect "127.0.0.1:$port" -quiet -no_ign_eof "$@" 2>>"$T/s_client.err"
}

# got_close_notify FILE: s_client -msg output shows the relay's close_notify.
got_close_notify() { grep -q '^<<< TLS 1.3, Alert \[length 0002\], warning close_notify' "$1"; }
