# Shared by bench/relay-bench and bench/ktls-bench.

# sip_bench_build TOP OUT: compiles the load client bench/sip_bench.c of the
# source tree TOP into OUT, with the TLS client engine it shares with the
# tests' sip_load; no configured tree needed.
sip_bench_build() {
	local dp=$1/tests/dataplane
	gcc -O2 -Wall -I"$dp" -o "$2" "$1/bench/sip_bench.c" "$dp/tls_client.c" \
	    "$dp/iobuf.c" -lssl -lcrypto
}

# bench_certs DIR: a throwaway CA and an ECDSA P-256 server certificate for
# relay.bench.example (and 127.0.0.1) in DIR, for every relay: ca.pem,
# server.pem, server.key, haproxy.pem (certificate and key), and the
# sipktlsd PKI store DIR/pki (trustpoint BENCH-TP, key label "bench").
bench_certs() {
	(
	osl() { openssl "$@" >/dev/null 2>&1; }
	cd "$1" || exit 1
	osl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key
	osl req -new -x509 -key ca.key -subj "/CN=relay-bench CA" -days 2 -out ca.pem
	osl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server.key
	osl req -new -key server.key -subj "/CN=relay.bench.example" -out server.csr
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
	    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
	    "subjectAltName=DNS:relay.bench.example,IP:127.0.0.1" >server.ext
	osl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
	    -extfile server.ext -out server.pem
	cat server.pem server.key >haproxy.pem
	# the sipktlsd PKI store (pki/pki.h): keys/LABEL.key, trustpoints/NAME/
	mkdir -p pki/keys pki/trustpoints/BENCH-TP
	chmod 700 pki pki/keys pki/trustpoints pki/trustpoints/BENCH-TP
	{ echo "label: bench"; openssl pkcs8 -topk8 -nocrypt -in server.key; } >pki/keys/bench.key
	chmod 600 pki/keys/bench.key
	{ echo "key: bench"; cat server.pem; } >pki/trustpoints/BENCH-TP/certificate.pem
	cp ca.pem pki/trustpoints/BENCH-TP/ca.pem
	)
}
