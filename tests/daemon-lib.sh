# Shared by tests/daemon-*.test: runs the real sipktlsd on random high ports
# in a temporary directory, drives it with sipktlsctl, and removes every
# process and file it made, whatever way the test ends.
#
# A test defines conf() (printing a configuration that uses $P1..$Pn and
# $SOCK), then calls daemon_up N.

: "${srcdir:=.}" "${builddir:=.}"
builddir=$(cd "$builddir" && pwd)
srcdir=$(cd "$srcdir" && pwd)
TEST=$(basename "$0" .test)
SIPKTLSD=${SIPKTLSD:-$builddir/sipktlsd}
SIPKTLSCTL=${SIPKTLSCTL:-$builddir/sipktlsctl}
# set by a test to run the daemon under a wrapper, such as valgrind
DAEMON_WRAPPER=${DAEMON_WRAPPER:-}
READY_TIMEOUT=${READY_TIMEOUT:-10}

T=$(mktemp -d "${TMPDIR:-/tmp}/sipktlsd-$TEST.XXXXXX")
CONF=$T/sipktlsd.conf
SOCK=$T/run/sipktlsd.sock
LOG=$T/sipktlsd.log
DPID=
EXTRA_PIDS=()

say() { printf '%s: %s\n' "$TEST" "$*"; }
skip() { say "SKIP: $*"; exit 77; }

fail() {
	say "FAIL: $*"
	if [ -s "$LOG" ]; then
		say "daemon log:"
		sed 's/^/    /' "$LOG"
	fi
	exit 1
}

# check DESCRIPTION COMMAND...: runs COMMAND, says ok or fails the test.
check() {
	local what=$1
	shift
	if "$@"; then
		say "ok - $what"
	else
		fail "$what"
	fi
}

# quiet COMMAND...: runs COMMAND with its output dropped (for check).
quiet() { "$@" >/dev/null 2>&1; }

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
	for pid in "${EXTRA_PIDS[@]}" $DPID; do
		stop_pid "$pid"
	done
	wait 2>/dev/null || true
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

[ -x "$SIPKTLSD" ] || skip "no $SIPKTLSD (build it first)"
[ -x "$SIPKTLSCTL" ] || skip "no $SIPKTLSCTL (build it first)"
command -v ss >/dev/null || skip "ss (iproute2) is not installed"

ctl() { "$SIPKTLSCTL" -f "$CONF" "$@"; }

# Any socket on the port counts: an ephemeral port of a connection blocks a bind too.
port_busy() { ss -Htan "sport = :$1" | grep -q .; }

# Sets P1..Pn to distinct ports that no socket uses now, below the kernel's
# ephemeral range so outgoing connections of other programs cannot take them.
pick_ports() {
	local n=$1 i p picked=" " ephemeral_low
	read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range
	[ "$ephemeral_low" -gt 21000 ] || ephemeral_low=32768
	for ((i = 1; i <= n; i++)); do
		while :; do
			p=$((20000 + RANDOM % (ephemeral_low - 20000)))
			case $picked in *" $p "*) continue ;; esac
			port_busy "$p" || break
		done
		picked="$picked$p "
		printf -v "P$i" '%s' "$p"
	done
}

write_conf() { conf >"$CONF"; }

# Starts the daemon in the foreground mode (-d) and waits for its control socket.
daemon_start() {
	: >"$LOG"
	$DAEMON_WRAPPER "$SIPKTLSD" -d -v -f "$CONF" 2>>"$LOG" &
	DPID=$!
	local i
	for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
		ctl show version >/dev/null 2>&1 && return 0
		kill -0 "$DPID" 2>/dev/null || { wait "$DPID" || true; DPID=; fail "sipktlsd exited during start-up"; }
		sleep 0.1
	done
	fail "sipktlsd did not answer on $SOCK within ${READY_TIMEOUT}s"
}

# daemon_up N: picks N ports, writes the configuration and starts the
# daemon, starting over on other ports when another program took one first.
daemon_up() {
	local _
	for _ in 1 2 3 4 5; do
		pick_ports "$1"
		write_conf
		daemon_start
		grep -q "Address already in use" "$LOG" || return 0
		say "a port was taken meanwhile, trying others"
		daemon_stop >/dev/null || true
	done
	fail "no free ports after 5 tries"
}

# Stops the daemon with SIGTERM and returns its exit status.
daemon_stop() {
	local rc=0
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID"
	wait "$DPID" || rc=$?
	DPID=
	return $rc
}

# wait_log PATTERN [SECONDS]: waits until the daemon log has a line matching PATTERN (grep -E).
wait_log() {
	local i
	for ((i = 0; i < ${2:-5} * 10; i++)); do
		grep -Eq -- "$1" "$LOG" && return 0
		sleep 0.1
	done
	return 1
}

# count_log PATTERN: how many log lines match (grep -F).
count_log() { grep -cF -- "$1" "$LOG" || true; }

# Reloads with SIGHUP and waits for the daemon to say how it went.
daemon_hup() {
	local before
	before=$(grep -cE '^reload: ' "$LOG" || true)
	kill -HUP "$DPID"
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -cE '^reload: ' "$LOG" || true)" -gt "$before" ] && return 0
		sleep 0.1
	done
	fail "no reload result logged after SIGHUP"
}

listening() { ss -Hltn "sport = :$1" | grep -q .; }
listening_on() { ss -Hltn | awk '{print $4}' | grep -qxF -- "$1"; }
