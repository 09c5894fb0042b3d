#!/bin/bash
# Test PKI for the TLS tests, made fresh each run: a root CA, an intermediate,
# RSA and ECDSA server and client certificates with SANs, and a foreign CA
# with a certificate of its own, for verification failures.
#   mkcerts.sh DIR
# writes DIR/pki (the sipktlsd store: keys/LABEL.key, trustpoints/NAME/
# {certificate.pem,ca.pem}) and DIR/peer/*.pem for the test peers.
set -eu
D=$1
S=$D/pki
P=$D/peer
mkdir -p "$S/keys" "$P"
chmod 700 "$S" "$S/keys"
cd "$D"
osl() { openssl "$@" 2>/dev/null; }

ext() {	# ext FILE CA? SAN
	{
		echo "[x]"
		if [ "$2" = ca ]; then
			echo "basicConstraints=critical,CA:TRUE"
			echo "keyUsage=critical,keyCertSign,cRLSign"
		else
			echo "basicConstraints=critical,CA:FALSE"
			echo "keyUsage=critical,digitalSignature,keyEncipherment"
			echo "extendedKeyUsage=serverAuth,clientAuth"
			echo "subjectAltName=$3"
		fi
		echo "subjectKeyIdentifier=hash"
		echo "authorityKeyIdentifier=keyid"
	} >"$1"
}

newkey() {	# newkey FILE rsa|ec
	if [ "$2" = rsa ]; then
		osl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"
	else
		osl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
	fi
}

# issue NAME KEYTYPE SUBJECT ISSUER CA? SAN
issue() {
	local name=$1 type=$2 subj=$3 issuer=$4 ca=$5 san=${6:-}
	newkey "$P/$name.key" "$type"
	ext "$P/$name.ext" "$ca" "$san"
	osl req -new -key "$P/$name.key" -subj "$subj" -out "$P/$name.csr"
	if [ "$issuer" = self ]; then
		osl x509 -req -in "$P/$name.csr" -signkey "$P/$name.key" -days 30 \
		    -extfile "$P/$name.ext" -extensions x -out "$P/$name.pem"
	else
		osl x509 -req -in "$P/$name.csr" -CA "$P/$issuer.pem" \
		    -CAkey "$P/$issuer.key" -CAcreateserial -days 30 \
		    -extfile "$P/$name.ext" -extensions x -out "$P/$name.pem"
	fi
}

issue root rsa "/CN=sipktls test root CA" self ca
issue inter ec "/CN=sipktls test intermediate CA" root ca
issue foreign ec "/CN=somebody else's CA" self ca
issue sbc-rsa rsa "/CN=sbc.example.com" inter leaf \
    "DNS:sbc.example.com,DNS:localhost,IP:127.0.0.1,IP:::1"
issue sbc-ec ec "/CN=sbc-ec.example.com" inter leaf \
    "DNS:sbc-ec.example.com,DNS:localhost,IP:127.0.0.1,IP:::1"
issue tenant-b ec "/CN=b.example.com" inter leaf "DNS:b.example.com"
issue peer-rsa rsa "/CN=peer.example.net" inter leaf "DNS:peer.example.net,DNS:localhost"
issue peer-ec ec "/CN=peer-ec.example.net" inter leaf "DNS:peer-ec.example.net,DNS:localhost"
issue stranger ec "/CN=stranger.example.org" foreign leaf "DNS:stranger.example.org,DNS:localhost"
cat "$P/inter.pem" "$P/root.pem" >"$P/ca-bundle.pem"
for n in peer-rsa peer-ec stranger sbc-rsa sbc-ec tenant-b; do
	issuer=inter
	[ "$n" = stranger ] && issuer=foreign
	cat "$P/$n.pem" "$P/$issuer.pem" >"$P/$n.chain.pem"
done

# trustpoint NAME LABEL CERT: the store layout of pki/pki.h
trustpoint() {
	local tp=$S/trustpoints/$1
	mkdir -p "$tp"
	chmod 700 "$S/trustpoints" "$tp"
	{ echo "label: $2"; openssl pkcs8 -topk8 -nocrypt -in "$P/$3.key"; } \
	    >"$S/keys/$2.key"
	chmod 600 "$S/keys/$2.key"
	{ echo "key: $2"; cat "$P/$3.pem" "$P/inter.pem"; } >"$tp/certificate.pem"
	cat "$P/root.pem" >"$tp/ca.pem"
}
trustpoint TP-RSA sbc-rsa sbc-rsa
trustpoint TP-EC sbc-ec sbc-ec
trustpoint TP-B tenant-b tenant-b
