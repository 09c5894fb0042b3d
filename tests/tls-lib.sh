# Shared by tests/tls-*.test, on top of daemon-lib.sh: a fresh test PKI in
# the daemon's store, the trustpoints that use it, and real TLS peers
# (openssl s_client/s_server, gnutls-cli/gnutls-serv) with short timeouts.
. "${srcdir:-.}/tests/daemon-lib.sh"

command -v openssl >/dev/null || skip "openssl is not installed"
"$srcdir/tests/tls/mkcerts.sh" "$T" || fail "cannot make the test certificates"
PEER=$T/peer
PKI=$T/pki

# The trustpoints of mkcerts.sh, for a conf() to print first.
trustpoints() {
	cat <<EOF2
crypto pki trustpoint TP-RSA
 enrollment terminal
 fqdn sbc.example.com
 rsakeypair sbc-rsa
 revocation-check none
!
crypto pki trustpoint TP-EC
 enrollment terminal
 fqdn sbc-ec.example.com
 eckeypair sbc-ec
 revocation-check none
!
crypto pki trustpoint TP-B
 enrollment terminal
 fqdn b.example.com
 eckeypair tenant-b
 revocation-check none
!
EOF2
}

# sclient PORT [s_client options...]: one handshake, nothing sent; its output in $T/sc.out.
sclient() {
	local port=$1
	shift
	timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile "$PEER/root.pem" \
	    -verify_return_error "$@" </dev/null >"$T/sc.out" 2>&1
}

# sclient_hold SECONDS PORT [options...]: as sclient, staying connected a
# while (a TLS 1.3 ticket arrives after the handshake).
sclient_hold() {
	local hold=$1 port=$2
	shift 2
	sleep "$hold" | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -CAfile "$PEER/root.pem" -verify_return_error "$@" >"$T/sc.out" 2>&1
}

# gcli PORT PRIORITY [options...]: gnutls-cli's handshake; output in $T/gc.out.
gcli() {
	local port=$1 prio=$2
	shift 2
	timeout 10 gnutls-cli --x509cafile="$PEER/root.pem" --priority="$prio" \
	    -p "$port" "$@" localhost </dev/null >"$T/gc.out" 2>&1
}

# counter NAME: a counter of "show sip-ua connections tcp tls brief".
counter() {
	ctl show sip-ua connections tcp tls brief | sed -n "s/^$1 *: //p"
}

# failures_line N: the guide's handshake failure line for Conn-Id N, if logged.
failure_line() {
	grep -E "^%SIP-2-TLS_HANDSHAKE_FAILED: .*Connection ID: $1, " "$LOG" | tail -1
}

# wait_count PATTERN N [SECONDS]: until N log lines match PATTERN (grep -E).
wait_count() {
	local i
	for ((i = 0; i < ${3:-5} * 10; i++)); do
		[ "$(grep -cE -- "$1" "$LOG" || true)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# bg CMD...: runs a peer in the background, stopped with the test.
bg() {
	"$@" &
	EXTRA_PIDS+=($!)
}

# wait_port PORT: until something listens on it.
wait_port() {
	local i
	for ((i = 0; i < 50; i++)); do
		listening "$1" && return 0
		sleep 0.1
	done
	return 1
}

# detail_has REGEX: a line of "show ... detail" matches (grep -E).
detail_has() { ctl show sip-ua connections tcp tls detail | grep -qE -- "$1"; }

# matches TEXT REGEX: for check, on a value already captured.
matches() { grep -qE -- "$2" <<<"$1"; }

# backend_up: a plain SIP responder the tenants' sessions are relayed to;
# sets BACKEND (ipv4:127.0.0.1:PORT) for "backend target".
backend_up() {
	local resp="${builddir:-.}/tests/dataplane/sip_responder" i
	[ -x "$resp" ] || skip "no $resp (make check builds it)"
	"$resp" -l 127.0.0.1:0 >"$T/backend.out" 2>"$T/backend.err" &
	EXTRA_PIDS+=($!)
	for i in $(seq 50); do
		grep -q '^ready' "$T/backend.out" 2>/dev/null && break
		sleep 0.1
	done
	BACKEND="ipv4:127.0.0.1:$(awk '$1 == "port" { print $2; exit }' "$T/backend.out")"
	[ "$BACKEND" != "ipv4:127.0.0.1:" ] || fail "the SIP responder did not start"
}

# pace: keeps a loop of failing handshakes under the daemon's log rate limit
# (20 failure lines a second), so every failure it expects is logged.
pace() { sleep 0.06; }
