#!/usr/bin/env bash
# report-browser-test.sh: render the seed run's report.html in headless
# Chromium, check through the DOM (after the page's script ran) that the
# summary and the (seed.txt:16, seed.txt:19) cluster with its differences and
# masks are there, and save the screenshot docs/report.png.
#
# Usage: scripts/report-browser-test.sh        (from anywhere in the repo)
# Installs Debian's chromium and a CJK font when missing (needs root).
set -euo pipefail

cd "$(dirname "$0")/.."
fail() { echo "report-browser-test: FAIL: $*" >&2; exit 1; }

if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi 'wqy\|noto.*cjk'; then
	echo "report-browser-test: installing chromium and fonts-wqy-microhei" >&2
	apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/quchong" ./cmd/quchong
"$tmp/quchong" dedup testdata/seed.txt -o "$tmp/run" 2>/dev/null >/dev/null || fail "quchong dedup failed"
[ -f "$tmp/run/report.html" ] || fail "quchong dedup wrote no report.html"

# The seed's near cluster: the cluster id of seed.txt:16 in clusters.jsonl.
cid=$(grep -F '"id":"testdata/seed.txt:16"' "$tmp/run/clusters.jsonl" | sed -E 's/.*"cluster":([0-9]+).*/\1/')
[ -n "$cid" ] || fail "seed.txt:16 is in no cluster (clusters.jsonl)"
url="file://$tmp/run/report.html#cluster=$cid"

chrome() {
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --hide-scrollbars \
		--user-data-dir="$(mktemp -d -p "$tmp")" --virtual-time-budget=5000 "$@" 2>>"$tmp/chromium.log"
}

chrome --dump-dom "$url" >"$tmp/dom.html" || fail "chromium --dump-dom failed (see below)$(tail -5 "$tmp/chromium.log")"
dom=$(cat "$tmp/dom.html")

has() { grep -qE -- "$1" <<<"$dom" || fail "$2"; }
has 'data-rendered="1"' "the page's script did not run to the end"
has '<section id="summary"[^>]* data-read="20"' "summary: read is not 20"
has '<section id="summary"[^>]* data-kept="18"' "summary: kept is not 18"
has '<section id="summary"[^>]* data-removed="2"' "summary: removed is not 2"
has 'id="plot-similarity"' "no similarity plot"
has 'class="threshold"' "no threshold mark on the similarity plot"
has '<li class="cluster-row[^"]*" data-cluster-id="[0-9]+"' "the cluster list is empty"
tag=$(grep -oE '<div class="cluster" [^>]*>' <<<"$dom" | head -1)
[ -n "$tag" ] || fail "no opened cluster in #cluster-detail"
grep -q "data-cluster-id=\"$cid\"" <<<"$tag" || fail "opened cluster is not #$cid: $tag"
grep -q 'testdata/seed.txt:16' <<<"$tag" && grep -q 'testdata/seed.txt:19' <<<"$tag" ||
	fail "cluster #$cid does not hold seed.txt:16 and seed.txt:19: $tag"
for a in ins del masks; do
	n=$(sed -E "s/.*data-$a=\"([0-9]+)\".*/\1/" <<<"$tag")
	[ "${n:-0}" -gt 0 ] 2>/dev/null || fail "cluster #$cid shows no $a marks: $tag"
done
# Exact marks (the JS source and the legend hold <ins>/<del> too): kept
# seed.txt:16 has 我镇*家 and 立邦 where seed.txt:19 has 我镇19家 and XX.
has '<(ins|del)>19</(ins|del)>' "no character difference marked at 我镇*家 / 我镇19家"
has '<(ins|del)>立邦</(ins|del)>' "no character difference marked at 立邦 / XX"
has '<span class="mask">X+</span>' "no highlighted X mask in the DOM"

mkdir -p docs
chrome --screenshot="$PWD/docs/report.png" --window-size=1400,1000 "$url" >/dev/null ||
	fail "chromium --screenshot failed"
[ -s docs/report.png ] || fail "empty screenshot"
echo "report-browser-test: ok: summary 20/18/2, cluster #$cid (seed.txt:16, :19) with $tag; screenshot docs/report.png"
