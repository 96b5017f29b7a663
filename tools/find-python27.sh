#!/usr/bin/env bash
# Print the python2.7 to test against: $PYTHON27, else pyenv's 2.7.18, else python2.7 on PATH.
# Exits 1 with what to install when there is none.
set -eu
if [ -n "${PYTHON27:-}" ]; then
  candidate=$PYTHON27
elif command -v pyenv >/dev/null 2>&1 && prefix=$(pyenv prefix 2.7.18 2>/dev/null); then
  candidate=$prefix/bin/python2.7
elif [ -x "$HOME/.pyenv/versions/2.7.18/bin/python2.7" ]; then
  candidate=$HOME/.pyenv/versions/2.7.18/bin/python2.7
else
  candidate=$(command -v python2.7 || true)
fi
if [ -z "$candidate" ] || ! "$candidate" -c 'import sys; assert sys.version_info[:2] == (2, 7)' 2>/dev/null; then
  echo "no python2.7 found: install CPython 2.7 (e.g. 'pyenv install 2.7.18') or set PYTHON27=/path/to/python2.7" >&2
  exit 1
fi
echo "$candidate"
