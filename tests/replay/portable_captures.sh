#!/bin/sh
# Every shipped capture replays on a machine that has nothing of this
# repository but the capture: each captures/*.pcapng is copied, with its
# golden JSON, to a fresh directory outside the tree, and replayed there by a
# copy of its tool with no option but -r and -o json, cwd there. The copies
# run in a mount namespace in which an empty tmpfs hides the whole source
# tree (the build directory inside it too): a replay that reads any path
# recorded in the capture (the recording machine's --asn-db or --baseline,
# the shipped data/) fails instead of passing on this machine only.
# Hiding the tree takes root (a user namespace would not do: the tools, root
# there, could not drop their privileges); without it the test is skipped
# (77). As root the tools drop to their unprivileged user, as any replay
# started by root does, so the copies are world-readable.
#
#   portable_captures.sh SOURCE_DIR FL_TRACE FL_DNS FL_LOCATE
set -eu
if [ "$(id -u)" -ne 0 ]; then echo "skipped: hiding the source tree needs root" >&2; exit 77; fi
src=$(cd "$1" && pwd -P)
tmp=$(mktemp -d /tmp/fl-portable.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
case "$tmp/" in "$src"/*) echo "temporary directory $tmp lies in the source tree" >&2; exit 1 ;; esac
mkdir "$tmp/bin" "$tmp/lib" "$tmp/captures"
cp "$2" "$3" "$4" "$tmp/bin/"
# The tools' own library (libfaultline) is copied too, found through
# LD_LIBRARY_PATH before the build tree their RUNPATH names; then no copy
# may load anything from the tree it is hidden from.
for tool in "$tmp"/bin/*; do
  ldd "$tool" | awk -v src="$src/" 'index($3, src) == 1 {print $3}' | while read -r lib; do cp -L "$lib" "$tmp/lib/"; done
done
LD_LIBRARY_PATH=$tmp/lib
export LD_LIBRARY_PATH
for tool in "$tmp"/bin/*; do
  if ldd "$tool" | grep -F -- "$src/" >&2; then echo "$tool links a library from the source tree" >&2; exit 1; fi
done
n=0
for f in "$src"/captures/*.pcapng; do
  cp "$f" "${f%.pcapng}.json" "$tmp/captures/"
  n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "no captures in $src/captures" >&2; exit 1; }
chmod -R a+rX "$tmp"

# shellcheck disable=SC2016  # expanded by the inner shell
rc=0
unshare --mount --propagation private sh -eu -c '
  src=$1 tmp=$2
  mount -t tmpfs -o ro fl-hidden "$src"
  # Proves the tree is gone before anything is replayed.
  if [ -e "$src/captures" ]; then echo "the source tree is still visible" >&2; exit 1; fi
  cd "$tmp/captures"
  failed=0 replayed=0
  for cap in *.pcapng; do
    name=${cap%.pcapng}
    case $name in dns-*) tool=fl-dns ;; locate-*) tool=fl-locate ;; *) tool=fl-trace ;; esac
    rc=0
    "$tmp/bin/$tool" -r "$cap" -o json >"$name.out" 2>"$name.err" || rc=$?
    if [ "$rc" -ne 0 ] || [ -s "$name.err" ] || ! cmp -s "$name.out" "$name.json"; then
      echo "FAIL $cap ($tool, exit $rc):" >&2
      head -c 400 "$name.err" >&2
      cmp "$name.out" "$name.json" >&2 || true
      failed=$((failed + 1))
    fi
    replayed=$((replayed + 1))
  done
  echo "$replayed captures replayed from $tmp/captures with the source tree hidden, $failed failed"
  [ "$failed" -eq 0 ]
' sh "$src" "$tmp" || rc=$?
exit "$rc"
