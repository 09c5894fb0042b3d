#!/bin/bash
# Measures copying SEND against SEND_ZC (tests/dataplane/zc_bench) at SIP
# sizes and above, on loopback and over a veth pair between two network
# namespaces made here and removed afterwards (root needed for the second).
# The numbers chose the dataplane's SEND_ZC threshold (dataplane/dataplane.c).
#   tests/dataplane/zc-measure.sh [BUILDDIR]      N=20000 sends per run
set -eu
B=${1:-.}/tests/dataplane/zc_bench
N=${N:-20000}
SIZES=${SIZES:-"500 1500 4096 16384 65536"}
[ -x "$B" ] || { echo "no $B" >&2; exit 2; }
T=$(mktemp -d)
RPID=

cleanup() {
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null
	ip netns del dpzc-a 2>/dev/null || true
	ip netns del dpzc-b 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

# measure LABEL RECV_PREFIX SEND_PREFIX ADDR
measure() {
	local label=$1 rx=$2 tx=$3 addr=$4 port size mode
	$rx "$B" -R -l "$addr:0" >"$T/rx.out" 2>&1 &
	RPID=$!
	for _ in $(seq 50); do grep -q '^port' "$T/rx.out" && break; sleep 0.1; done
	port=$(awk '/^port/ { print $2 }' "$T/rx.out")
	for size in $SIZES; do
		for mode in send zc; do
			printf '%-8s ' "$label"
			$tx "$B" -c "$addr:$port" -s "$size" -n "$N" -m "$mode"
		done
	done
	kill "$RPID"
	wait "$RPID" 2>/dev/null || true
	RPID=
}

measure loopback "" "" 127.0.0.1

# Two namespaces joined by veth. Addresses come from 127.0.0.0/8 with
# route_localnet, so the traffic never names an address outside this host;
# lo stays down in both, so 127.20.0.2 is reached over the veth, not lo.
if [ "$(id -u)" = 0 ] && ip netns add dpzc-a 2>/dev/null; then
	ip netns add dpzc-b
	ip link add dpzc0 type veth peer name dpzc1
	ip link set dpzc0 netns dpzc-a
	ip link set dpzc1 netns dpzc-b
	for ns in a b; do
		dev=dpzc0
		[ $ns = b ] && dev=dpzc1
		ip netns exec dpzc-$ns sysctl -qw net.ipv4.conf.all.route_localnet=1
		ip netns exec dpzc-$ns sysctl -qw "net.ipv4.conf.$dev.route_localnet=1"
		ip netns exec dpzc-$ns ip link set "$dev" up
	done
	ip netns exec dpzc-a ip addr add 127.20.0.1/24 dev dpzc0
	ip netns exec dpzc-b ip addr add 127.20.0.2/24 dev dpzc1
	measure veth "ip netns exec dpzc-b" "ip netns exec dpzc-a" 127.20.0.2
else
	echo "veth: skipped (needs root and ip netns)" >&2
fi
