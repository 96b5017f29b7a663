#!/usr/bin/env bash
# Install the greenlet releases the tests run against, each in its own folder, for python2.7:
#   build/greenlet-VERSION           pip install --target (never into the shared python2.7)
#   build/greenlet-VERSION-stripped  the same with the extension stripped (--strip-all)
# Targets put the folder on sys.path. Usage: install-greenlets.sh /path/to/python2.7 BUILD
set -eu
python=$1
build=$2
for version in 1.1.3 0.4.17 2.0.2; do
  dest=$build/greenlet-$version
  rm -rf "$dest" "$dest.tmp" "$dest-stripped"
  "$python" -m pip install -q --disable-pip-version-check --no-compile --no-deps \
    --target "$dest.tmp" "greenlet==$version" 2>&1 | grep -v -e DEPRECATION -e "is ignored" >&2 || true
  find "$dest.tmp" -name '*greenlet*.so' | grep -q . || { echo "greenlet $version did not install" >&2; exit 1; }
  mv "$dest.tmp" "$dest"
  cp -r "$dest" "$dest-stripped"
  find "$dest-stripped" -name '*.so' -exec strip --strip-all {} +
done
echo "greenlet 1.1.3, 0.4.17 and 2.0.2 in $build/greenlet-*"
