# Shared by tests/ktls-host.test and tests/ktls-matrix.test: one function per
# kind of connection (ktls_peer against openssl s_client/s_server, gnutls-cli,
# gnutls-serv or itself); each prints one table row and returns 0 on success.
# EXPECT=kernel wants full offload and clean tls_stat; EXPECT=userspace wants
# the fallback with its reason, and the data through SSL_read/SSL_write.

KP=${builddir:-.}/tests/ktls/ktls_peer
EXPECT=${EXPECT:-kernel}
TO=${KTLS_TIMEOUT:-40}
# gnutls-cli echoes 1 MiB slowly inside UML (one 4 KiB record per turn of its
# interactive loop: about 33 s on a quiet host, over 40 s on a loaded one), so
# that case is bounded by a stall (TO seconds without progress) and this cap.
TO_BULK=${KTLS_BULK_TIMEOUT:-$((TO * 5))}
failures=0
cases=0

ktls_setup() {
	work=$(mktemp -d /tmp/ktls-test.XXXXXX)
	trap 'rm -rf "$work"' EXIT
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
		-subj /CN=localhost >/dev/null 2>&1 || { echo "cannot make a test certificate"; exit 99; }
	# a few SIP-size messages, and 1 MiB of text
	for i in 1 2 3; do
		printf 'OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' "$i"
	done >"$work/small.txt"
	head -c 786432 /dev/urandom | base64 -w 63 | head -c 1048576 >"$work/big.txt"
	next_port=24000
}

# name: version cipher -> OpenSSL, GnuTLS spellings
suite() {
	case $1-$2 in
	1.2-AES-128-GCM) ossl=ECDHE-ECDSA-AES128-GCM-SHA256 ;;
	1.2-AES-256-GCM) ossl=ECDHE-ECDSA-AES256-GCM-SHA384 ;;
	1.2-CHACHA20-POLY1305) ossl=ECDHE-ECDSA-CHACHA20-POLY1305 ;;
	1.2-AES-128-CCM) ossl=ECDHE-ECDSA-AES128-CCM ;;
	1.3-AES-128-GCM) ossl=TLS_AES_128_GCM_SHA256 ;;
	1.3-AES-256-GCM) ossl=TLS_AES_256_GCM_SHA384 ;;
	1.3-CHACHA20-POLY1305) ossl=TLS_CHACHA20_POLY1305_SHA256 ;;
	1.3-AES-128-CCM) ossl=TLS_AES_128_CCM_SHA256 ;;
	esac
	gnutls="NORMAL:-VERS-ALL:+VERS-TLS$1:-CIPHER-ALL:+$2"
	if [ "$1" = 1.3 ]; then
		ossl_opts=(-tls1_3 -ciphersuites "$ossl")
	else
		ossl_opts=(-tls1_2 -cipher "$ossl")
	fi
}

tls_stat() {
	if [ -r /proc/net/tls_stat ]; then
		awk -v k="$1" '$1 == k { print $2 }' /proc/net/tls_stat
	else
		echo 0
	fi
}

wait_line() {	# file regex
	local i

	for i in $(seq 200); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

wait_size() {	# file bytes: fails after TO seconds (wall clock) without growth
	local size last=-1 since=$SECONDS

	while :; do
		size=$(stat -c %s "$1" 2>/dev/null || echo 0)
		[ "$size" -ge "$2" ] && return 0
		if [ "$size" != "$last" ]; then
			last=$size since=$SECONDS
		elif [ $((SECONDS - since)) -ge "$TO" ]; then
			return 1
		fi
		sleep 0.1
	done
}

wait_listen() {	# port
	local i

	for i in $(seq 200); do
		ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

# Starts ktls_peer server in the background; sets kp_pid and port.
server_start() {	# log args...
	local log=$1

	shift
	timeout "${kp_to:-$TO}" "$KP" server --listen 0 --cert "$work/cert.pem" \
		--key "$work/key.pem" --diag "$@" >"$log" 2>&1 &
	kp_pid=$!
	wait_line "$log" '^port ' || return 1
	port=$(awk '/^port /{ print $2 }' "$log")
}

# Checks what ktls_peer printed about the offload against EXPECT.
offload_ok() {	# log
	if [ "$EXPECT" = kernel ]; then
		grep -q '^result: offloaded' "$1" || return 1
		grep -q '^diag: .* tls TLS 1\.[23] .* tx sw rx sw' "$1"
	else
		grep -q '^result: userspace TLS' "$1" &&
			grep -q '^offload: .*userspace: .' "$1"
	fi
}

row() {	# status dir version cipher peer variant log
	local how

	cases=$((cases + 1))
	how=$(sed -n 's/^offload: [^:]*: //p' "$7" | head -n 1)
	printf '%-4s %-3s %-3s %-17s %-10s %-24s %s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$how"
	if [ "$1" != PASS ]; then
		failures=$((failures + 1))
		sed 's/^/      | /' "$7" | grep -v '| probe:' | tail -n 12
	fi
}

# inbound: openssl s_client sends the input as soon as the handshake is
# done and prints what comes back; ktls_peer echoes it, then close_notify.
case_in_sclient() {	# version cipher input variant [ktls_peer args...]
	local v=$1 c=$2 in=$3 variant=$4 log="$work/case$cases" st=FAIL

	shift 4
	suite "$v" "$c"
	if server_start "$log" --tls "$v" --cipher "$ossl" \
		--echo "$(stat -c %s "$in")" "$@"; then
		timeout "$TO" openssl s_client -connect "127.0.0.1:$port" \
			"${ossl_opts[@]}" -quiet <"$in" >"$log.out" 2>"$log.err"
		wait "$kp_pid" && cmp -s "$in" "$log.out" && offload_ok "$log" && st=PASS
	fi
	row "$st" in "$v" "$c" s_client "$variant" "$log"
}

# inbound: gnutls-cli, its stdin held open until the echo is complete;
# on EOF it sends close_notify, which ktls_peer must see.
case_in_gnutls() {	# version cipher input variant [ktls_peer args...]
	local v=$1 c=$2 in=$3 variant=$4 log="$work/case$cases" st=FAIL size

	shift 4
	suite "$v" "$c"
	size=$(stat -c %s "$in")
	# a stalled echo ends the input early (close_notify, short output:
	# FAIL); a slow but moving one may take up to TO_BULK
	if kp_to=$TO_BULK server_start "$log" --tls "$v" --cipher "$ossl" "$@"; then
		{ cat "$in"; wait_size "$log.out" "$size"; } |
			timeout "$TO_BULK" gnutls-cli --insecure --logfile=/dev/null \
				--port "$port" --priority "$gnutls" 127.0.0.1 \
				>"$log.out" 2>"$log.err"
		wait "$kp_pid" && cmp -s "$in" "$log.out" && offload_ok "$log" &&
			grep -q '^event: close_notify' "$log" && st=PASS
	fi
	row "$st" in "$v" "$c" gnutls-cli "$variant" "$log"
}

# outbound: openssl s_server -rev answers each line reversed: one record
# per line each way (16384 lines = 1 MiB).
case_out_sserver() {	# version cipher lines variant [ktls_peer args...]
	local v=$1 c=$2 lines=$3 variant=$4 log="$work/case$cases" st=FAIL sp

	shift 4
	suite "$v" "$c"
	next_port=$((next_port + 1))
	timeout "$TO" openssl s_server -accept "$next_port" -cert "$work/cert.pem" \
		-key "$work/key.pem" "${ossl_opts[@]}" -rev -naccept 1 \
		>"$log.srv" 2>&1 &
	sp=$!
	if wait_listen "$next_port"; then
		timeout "$TO" "$KP" client --connect "$next_port" --tls "$v" \
			--cipher "$ossl" --lines "$lines" --diag "$@" >"$log" 2>&1 &&
			offload_ok "$log" && st=PASS
	fi
	wait "$sp" 2>/dev/null
	row "$st" out "$v" "$c" s_server "$variant" "$log"
}

# outbound: gnutls-serv --echo.
case_out_gnutls() {	# version cipher sizes variant [ktls_peer args...]
	local v=$1 c=$2 sizes=$3 variant=$4 log="$work/case$cases" st=FAIL gp

	shift 4
	suite "$v" "$c"
	next_port=$((next_port + 1))
	timeout "$TO" gnutls-serv --echo --port "$next_port" \
		--x509certfile "$work/cert.pem" --x509keyfile "$work/key.pem" \
		--priority "$gnutls" >"$log.srv" 2>&1 &
	gp=$!
	if wait_listen "$next_port"; then
		timeout "$TO" "$KP" client --connect "$next_port" --tls "$v" \
			--cipher "$ossl" --send "$sizes" --diag "$@" >"$log" 2>&1 &&
			offload_ok "$log" && st=PASS
	fi
	kill "$gp" 2>/dev/null
	wait "$gp" 2>/dev/null
	row "$st" out "$v" "$c" gnutls-serv "$variant" "$log"
}

# The data-path cases for one version and cipher.
cases_for() {	# version cipher
	local v=$1 c=$2

	case_in_sclient "$v" "$c" "$work/small.txt" "SIP msgs, tickets 2" --tickets 2
	case_in_sclient "$v" "$c" "$work/big.txt" "1 MiB, tickets 0" --tickets 0
	case_in_sclient "$v" "$c" "$work/big.txt" "1 MiB, all by hand" --manual
	case_in_gnutls "$v" "$c" "$work/small.txt" "SIP msgs, peer closes"
	case_in_gnutls "$v" "$c" "$work/big.txt" "1 MiB, all by hand" --manual
	case_out_sserver "$v" "$c" 16384 "16384 lines (records)"
	case_out_sserver "$v" "$c" 64 "lines, all by hand" --manual
	case_out_gnutls "$v" "$c" 300,1200,1048576 "SIP sizes + 1 MiB"
}
