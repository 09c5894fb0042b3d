#!/bin/bash
# Revocation test fixture: a CA built with "openssl req -x509" and "openssl ca",
# leaves whose CRL distribution point and AIA OCSP URI name loopback ports, a
# revoked leaf, current/stale/forged CRLs and canned OCSP answers; plus helpers
# that start loopback HTTP servers and the "openssl ocsp" responder.
#
# Run:    revoke_ca.sh build DIR [CRL_PORT OCSP_PORT DEAD_PORT]
# Source: . revoke_ca.sh   (then revoke_ca_build, revoke_httpd_start, ...)
#
# Files made in DIR (PEM unless .der):
#   ca.crt ca.key             the CA ("sipktls Test Root CA"), index.txt etc. in ca/
#   leaf-good.crt             issued by the CA, not revoked
#   leaf-revoked.crt          revoked, reason keyCompromise
#   leaf-unknown.crt          signed by the CA key but not in index.txt: OCSP "unknown"
#   leaf-twodp.crt            CRL DPs: ldap://, a dead port, then the live one
#   leaf-nodp.crt             no CRL DP and no AIA
#   ocsp.crt ocsp.key         delegated responder (extendedKeyUsage OCSPSigning)
#   www/ca.crl                the current CRL (DER), served by the HTTP server
#   crl-current.der           the same CRL
#   crl-stale.der             nextUpdate a day in the past
#   crl-badsig.der            same issuer name, signed by another key ("evil" CA)
#   crl-otherca.der           issued by another CA with another name
#   crl-delta.der             a delta CRL (Delta CRL Indicator)
#   crl-onlyca.der            Issuing Distribution Point: CA certificates only
#   crl-current.pem           PEM form, for "crl query FILE"
#   evil.crt other-ca.crt     the two foreign CAs
#   ca-nocrlsign.crt          the CA's name and key, keyUsage without cRLSign
#   ocsp-req-*.der ocsp-resp-*.der   canned OCSP exchanges (see revoke_ca_ocsp_canned)
#   ports                     "CRL_PORT OCSP_PORT DEAD_PORT"
set -u

# A free loopback TCP port: bind port 0 and read what the kernel chose. The
# port is released at once, so the caller starts its server and retries on a
# clash (revoke_httpd_start and revoke_ocsp_start report one).
revoke_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

revoke_ca_cnf() {
	local dir=$1
	cat <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $dir
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = \$dir/ca.crt
private_key = \$dir/ca.key
default_md = sha256
default_days = 30
default_crl_days = 7
policy = policy_any
unique_subject = no
copy_extensions = none
crl_extensions = crl_ext
[ policy_any ]
commonName = supplied
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[ crl_ext ]
authorityKeyIdentifier = keyid
[ delta_ext ]
authorityKeyIdentifier = keyid
deltaCRL = critical,DER:02:01:01
[ onlyca_ext ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical,@idp_onlyca
[ idp_onlyca ]
onlyCA = TRUE
[ leaf_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:\${ENV::CRL_PORT}/ca.crl
authorityInfoAccess = OCSP;URI:http://127.0.0.1:\${ENV::OCSP_PORT}/
[ twodp_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
crlDistributionPoints = URI:ldap://127.0.0.1/cn=ca,URI:http://127.0.0.1:\${ENV::DEAD_PORT}/ca.crl,URI:http://127.0.0.1:\${ENV::CRL_PORT}/ca.crl
[ nodp_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
[ ocsp_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,OCSPSigning
EOF
}

# A CA in DIR/NAME: key, self-signed certificate with SUBJECT, database.
revoke_ca_new() {
	local dir=$1 subject=$2
	mkdir -p "$dir/newcerts"
	: >"$dir/index.txt"
	echo 1000 >"$dir/serial"
	echo 01 >"$dir/crlnumber"
	revoke_ca_cnf "$dir" >"$dir/openssl.cnf"
	openssl req -x509 -new -config "$dir/openssl.cnf" -extensions ca_ext \
	    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$dir/ca.key" -out "$dir/ca.crt" -subj "$subject" \
	    -days 30 2>/dev/null
}

# A leaf key and CSR, then "openssl ca" issues it with extension section EXT.
revoke_ca_issue() {
	local ca=$1 name=$2 ext=$3 out=$4
	openssl req -new -config "$ca/openssl.cnf" -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out/$name.key" \
	    -out "$out/$name.csr" -subj "/CN=$name.test" 2>/dev/null &&
	openssl ca -batch -config "$ca/openssl.cnf" -extensions "$ext" \
	    -in "$out/$name.csr" -out "$out/$name.crt" -notext 2>/dev/null
}

revoke_ca_gencrl() {
	local ca=$1 out=$2
	shift 2
	openssl ca -batch -config "$ca/openssl.cnf" -gencrl -out "$out.pem" "$@" \
	    2>/dev/null &&
	openssl crl -in "$out.pem" -outform DER -out "$out" 2>/dev/null
}

# Canned OCSP exchanges made offline with the same responder code that
# "openssl ocsp -port" runs: each request is kept, so a test can check the
# answer against its own request (nonce) or against another one.
revoke_ca_ocsp_canned() {
	local d=$1 ca=$1/ca
	local respond="openssl ocsp -index $ca/index.txt -CA $d/ca.crt"
	local leaf
	for leaf in good revoked unknown; do
		openssl ocsp -issuer "$d/ca.crt" -cert "$d/leaf-$leaf.crt" \
		    -reqout "$d/ocsp-req-$leaf.der" 2>/dev/null || return 1
		$respond -rsigner "$d/ocsp.crt" -rkey "$d/ocsp.key" -nmin 60 \
		    -reqin "$d/ocsp-req-$leaf.der" \
		    -respout "$d/ocsp-resp-$leaf.der" >/dev/null 2>&1 || return 1
	done
	# The CA signing for itself, and no nextUpdate at all.
	$respond -rsigner "$d/ca.crt" -rkey "$d/ca.key" \
	    -reqin "$d/ocsp-req-good.der" \
	    -respout "$d/ocsp-resp-good-byca-nonext.der" >/dev/null 2>&1 || return 1
	# A request without a nonce: the answer carries none either.
	openssl ocsp -issuer "$d/ca.crt" -cert "$d/leaf-good.crt" -no_nonce \
	    -reqout "$d/ocsp-req-nononce.der" 2>/dev/null || return 1
	$respond -rsigner "$d/ocsp.crt" -rkey "$d/ocsp.key" -nmin 60 \
	    -reqin "$d/ocsp-req-nononce.der" \
	    -respout "$d/ocsp-resp-nononce.der" >/dev/null 2>&1 || return 1
	# Signed by a leaf of the same CA that has no OCSPSigning usage.
	$respond -rsigner "$d/leaf-good.crt" -rkey "$d/leaf-good.key" -nmin 60 \
	    -reqin "$d/ocsp-req-good.der" \
	    -respout "$d/ocsp-resp-unauth.der" >/dev/null 2>&1 || return 1
	# A second request for the same certificate, with a nonce of its own.
	openssl ocsp -issuer "$d/ca.crt" -cert "$d/leaf-good.crt" \
	    -reqout "$d/ocsp-req-good2.der" 2>/dev/null
}

revoke_ca_build() {
	local d=$1
	CRL_PORT=${2:-$(revoke_free_port)}
	OCSP_PORT=${3:-$(revoke_free_port)}
	DEAD_PORT=${4:-$(revoke_free_port)}
	export CRL_PORT OCSP_PORT DEAD_PORT
	mkdir -p "$d/www" || return 1
	echo "$CRL_PORT $OCSP_PORT $DEAD_PORT" >"$d/ports"

	revoke_ca_new "$d/ca" "/O=sipktls test/CN=sipktls Test Root CA" || return 1
	cp "$d/ca/ca.crt" "$d/ca/ca.key" "$d/"
	local leaf
	for leaf in good revoked; do
		revoke_ca_issue "$d/ca" "leaf-$leaf" leaf_ext "$d" || return 1
	done
	revoke_ca_issue "$d/ca" leaf-twodp twodp_ext "$d" || return 1
	revoke_ca_issue "$d/ca" leaf-nodp nodp_ext "$d" || return 1
	revoke_ca_issue "$d/ca" ocsp ocsp_ext "$d" || return 1
	# Not through "openssl ca": the responder's index never hears of it.
	openssl req -new -config "$d/ca/openssl.cnf" -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/leaf-unknown.key" \
	    -out "$d/leaf-unknown.csr" -subj "/CN=leaf-unknown.test" 2>/dev/null &&
	openssl x509 -req -in "$d/leaf-unknown.csr" -CA "$d/ca.crt" \
	    -CAkey "$d/ca.key" -set_serial 0x7777 -days 30 \
	    -extfile "$d/ca/openssl.cnf" -extensions leaf_ext \
	    -out "$d/leaf-unknown.crt" 2>/dev/null || return 1

	openssl ca -batch -config "$d/ca/openssl.cnf" -revoke "$d/leaf-revoked.crt" \
	    -crl_reason keyCompromise 2>/dev/null || return 1
	revoke_ca_gencrl "$d/ca" "$d/crl-current.der" || return 1
	cp "$d/crl-current.der.pem" "$d/crl-current.pem"
	cp "$d/crl-current.der" "$d/www/ca.crl"
	revoke_ca_gencrl "$d/ca" "$d/crl-stale.der" \
	    -crl_lastupdate "$(date -u -d '-2 days' +%Y%m%d%H%M%SZ)" \
	    -crl_nextupdate "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" || return 1
	revoke_ca_gencrl "$d/ca" "$d/crl-delta.der" -crlexts delta_ext || return 1
	revoke_ca_gencrl "$d/ca" "$d/crl-onlyca.der" -crlexts onlyca_ext || return 1

	# Same subject name as the real CA, another key: only the signature tells.
	revoke_ca_new "$d/evil" "/O=sipktls test/CN=sipktls Test Root CA" || return 1
	cp "$d/evil/ca.crt" "$d/evil.crt"
	revoke_ca_gencrl "$d/evil" "$d/crl-badsig.der" || return 1
	# The CA's name and key, but a key usage that does not allow CRL signing.
	openssl req -x509 -new -config "$d/ca/openssl.cnf" -key "$d/ca.key" \
	    -subj "/O=sipktls test/CN=sipktls Test Root CA" -days 30 \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign" \
	    -out "$d/ca-nocrlsign.crt" 2>/dev/null || return 1
	revoke_ca_new "$d/other" "/O=sipktls test/CN=sipktls Other CA" || return 1
	cp "$d/other/ca.crt" "$d/other-ca.crt"
	revoke_ca_gencrl "$d/other" "$d/crl-otherca.der" || return 1

	revoke_ca_ocsp_canned "$d"
}

# Background servers; each PID goes to REVOKE_PIDS so the test's trap ends them.
REVOKE_PIDS=${REVOKE_PIDS:-}

# A loopback HTTP/1.0 server on python3's http.server that logs one line per
# request to LOG. MODE: serve (files of DIR), slow:SECONDS (answer late), hang
# (accept, read, never answer), redirect (/r/NAME answers 302 to /NAME, /loop
# to itself).
REVOKE_HTTPD_PY='
import http.server, os, socketserver, sys, time
port, root, log, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def log_message(self, fmt, *args):
        with open(log, "a") as f:
            f.write("%s\n" % (fmt % args))
    def do_GET(self):
        self.log_message("%s", self.requestline)
        if mode == "hang":
            time.sleep(3600)
        if mode.startswith("slow:"):
            time.sleep(float(mode[5:]))
        if mode == "redirect" and self.path.startswith("/r/"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:%d/%s" % (port, self.path[3:]))
            self.end_headers()
            return
        if mode == "redirect" and self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        super().do_GET()
    def do_POST(self):
        self.do_GET()
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
S(("127.0.0.1", port), H).serve_forever()
'

# Waits (bounded) until PORT on 127.0.0.1 accepts connections.
revoke_wait_port() {
	local port=$1 pid=$2 i
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 1
		if python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' \
		    "$port" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# revoke_httpd_start PORT DIR LOG MODE: sets REVOKE_LAST_PID.
revoke_httpd_start() {
	python3 -c "$REVOKE_HTTPD_PY" "$1" "$2" "$3" "$4" 2>>"$3.err" &
	REVOKE_LAST_PID=$!
	REVOKE_PIDS="$REVOKE_PIDS $REVOKE_LAST_PID"
	revoke_wait_port "$1" "$REVOKE_LAST_PID"
}

# revoke_ocsp_start DIR PORT SIGNER_CRT SIGNER_KEY LOG [extra options]: the
# real "openssl ocsp" responder. In OpenSSL 3.0 -port takes a number only, so
# it listens on every address; the tests connect to 127.0.0.1 alone. It
# serves one connection at a time and one that closes without a request
# wedges it, so readiness is read from its log ("ACCEPT ... PID="), not
# probed with a connection.
revoke_ocsp_start() {
	local d=$1 port=$2 crt=$3 key=$4 log=$5 i
	shift 5
	: >"$log"
	openssl ocsp -index "$d/ca/index.txt" -CA "$d/ca.crt" -port "$port" \
	    -rsigner "$crt" -rkey "$key" -nmin 60 "$@" >>"$log" 2>&1 &
	REVOKE_LAST_PID=$!
	REVOKE_PIDS="$REVOKE_PIDS $REVOKE_LAST_PID"
	for i in $(seq 1 50); do
		kill -0 "$REVOKE_LAST_PID" 2>/dev/null || return 1
		grep -q "^ACCEPT .*PID=" "$log" && return 0
		sleep 0.1
	done
	return 1
}

# Stops one server started above, by its PID, and waits for it.
revoke_stop() {
	local pid=$1
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	REVOKE_PIDS=$(echo "$REVOKE_PIDS" | tr ' ' '\n' | grep -vx "$pid" | tr '\n' ' ')
	return 0
}

revoke_stop_all() {
	local pid
	for pid in $REVOKE_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $REVOKE_PIDS; do
		wait "$pid" 2>/dev/null
	done
	REVOKE_PIDS=
}

if [ "${1:-}" = build ] && [ $# -ge 2 ]; then
	shift
	revoke_ca_build "$@"
	exit $?
fi
