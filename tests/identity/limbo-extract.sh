#!/bin/sh
# Copies x509-limbo's peer-name ("identity") cases into tests/identity/: each
# case's end-entity certificate and one TSV row of what upstream expects.
# The unit test reads only these copies, so it needs neither shared/ nor JSON.
# Usage: tests/identity/limbo-extract.sh [LIMBO_DIR]
#   (default: ../shared/testdata/x509-limbo beside the source tree)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
limbo=${1:-$here/../../../shared/testdata/x509-limbo}
index=$limbo/index.tsv
out=$here/limbo-identity.tsv

[ -r "$index" ] || { echo "limbo-extract: no $index" >&2; exit 1; }

rm -rf "$here/limbo"
mkdir -p "$here/limbo"
cp "$limbo/LICENSE" "$here/limbo/LICENSE"

# index.tsv: dir id group expected_result peer_kind peer_name time features
{
	printf '# x509-limbo identity cases (Apache-2.0, see limbo/LICENSE); written by limbo-extract.sh\n'
	printf '# id\tkind\tname\texpected\tpem\tfeatures\n'
	awk -F '\t' 'NR > 1 && $3 == "identity" {
		printf "%s\t%s\t%s\t%s\tlimbo/%s.pem\t%s\n", $2, $5, $6, $4, $1, $8
	}' "$index"
} > "$out.tmp"

awk -F '\t' '!/^#/ { print $5 }' "$out.tmp" | while read -r pem; do
	dir=$(basename "$pem" .pem)
	cp "$limbo/cases/$dir/peer.pem" "$here/$pem"
done
mv "$out.tmp" "$out"
echo "limbo-extract: $(grep -vc '^#' "$out") cases into $out"
