#!/usr/bin/env bash
# Make a fully stripped copy of a python2.7 install: binary, libpython and lib-dynload
# stripped with --strip-all, the pure-Python stdlib linked. Run it with
#   PYTHONHOME=DEST LD_LIBRARY_PATH=DEST/lib DEST/bin/python2.7
# Usage: build-stripped-python.sh /path/to/bin/python2.7 DEST
set -eu
python=$1
dest=$2
prefix=$(cd "$(dirname "$python")/.." && pwd)
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/bin" "$dest.tmp/lib/python2.7/lib-dynload"
cp "$python" "$dest.tmp/bin/python2.7"
strip --strip-all "$dest.tmp/bin/python2.7"
for lib in "$prefix"/lib/libpython2.7.so*; do
  [ -L "$lib" ] && continue
  cp "$lib" "$dest.tmp/lib/"
  strip --strip-all "$dest.tmp/lib/$(basename "$lib")"
done
(cd "$dest.tmp/lib" && ln -sf libpython2.7.so.1.0 libpython2.7.so)
for entry in "$prefix"/lib/python2.7/*; do
  name=$(basename "$entry")
  [ "$name" = lib-dynload ] || ln -s "$entry" "$dest.tmp/lib/python2.7/$name"
done
for module in "$prefix"/lib/python2.7/lib-dynload/*; do
  cp "$module" "$dest.tmp/lib/python2.7/lib-dynload/"
done
strip --strip-all "$dest.tmp"/lib/python2.7/lib-dynload/*.so
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "stripped python2.7 in $dest"
