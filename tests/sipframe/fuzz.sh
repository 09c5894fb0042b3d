#!/bin/bash
# Fuzzes the SIP framer with libFuzzer for SECONDS (default 300): builds
# tests/fuzz/fuzz_sipframe.c with clang (apt-get install clang libclang-rt-14-dev)
# and ASan/UBSan in a temporary folder, seeds it from tests/sipframe/corpus and
# the torture messages, and leaves any crashing input in the current folder.
#   tests/sipframe/fuzz.sh [SECONDS [JOBS]]
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-300}
jobs=${2:-1}
torture=${SIPKTLS_TESTDATA:-$top/../shared/testdata}/sip-torture
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_sipframe.XXXXXX")
trap 'rm -rf "$work"' EXIT

# autoconf.h comes from configure; a stand-in is enough for this one target.
printf '#define _GNU_SOURCE 1\n' >"$work/autoconf.h"
clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -DFUZZ_WITH_LIBFUZZER \
	-I"$work" -I"$top" -o "$work/fuzz_sipframe" \
	"$top/tests/fuzz/fuzz_sipframe.c" "$top/dataplane/sipframe.c"

mkdir "$work/corpus"
cp "$top"/tests/sipframe/corpus/* "$work/corpus/"
for d in rfc4475 rfc4475-variants rfc5118/wire rfc5118/archive; do
	[ -d "$torture/$d" ] || continue
	for f in "$torture/$d"/*.dat; do
		cp "$f" "$work/corpus/${d//\//-}-${f##*/}"
	done
done
# several jobs log to fuzz-N.log in the current folder; one job to the terminal
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
"$work/fuzz_sipframe" -dict="$top/tests/sipframe/sipframe.dict" \
	-max_len=8192 -max_total_time="$secs" "${parallel[@]}" \
	-artifact_prefix="$PWD/" -print_final_stats=1 "$work/corpus"
