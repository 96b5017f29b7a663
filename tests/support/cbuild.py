"""Build small C targets for the tests with gcc, once per source change."""

import hashlib
import os
import subprocess

from .paths import BUILD, TARGETS


def build_c(name, extra_flags=()):
    """Compile tests/targets/NAME.c into build/ctargets/NAME-<hash> and return its path."""
    source = os.path.join(TARGETS, name + ".c")
    with open(source, "rb") as handle:
        digest = hashlib.sha1(handle.read() + " ".join(extra_flags).encode()).hexdigest()[:10]
    out_dir = os.path.join(BUILD, "ctargets")
    os.makedirs(out_dir, exist_ok=True)
    binary = os.path.join(out_dir, "%s-%s" % (name, digest))
    if not os.path.exists(binary):
        subprocess.check_call(["gcc", "-g", "-O0", "-pthread", "-o", binary + ".tmp", source]
                              + list(extra_flags))
        os.rename(binary + ".tmp", binary)
    return binary


def build_extension(name, include_dir, stripped=False, extra_flags=()):
    """Compile tests/targets/NAME.c into a python2.7 extension module NAME.so (headers from
    ``include_dir``, more gcc flags ``extra_flags``) in its own directory under build/ctargets;
    ``stripped`` strips it of every symbol but its exported ones. Returns the directory (what
    sys.path needs)."""
    source = os.path.join(TARGETS, name + ".c")
    with open(source, "rb") as handle:
        digest = hashlib.sha1(handle.read() + include_dir.encode() + " ".join(extra_flags).encode()
                              ).hexdigest()[:10]
    out_dir = os.path.join(BUILD, "ctargets", "%s-%s%s" % (name, digest, "-stripped" if stripped else ""))
    module = os.path.join(out_dir, name + ".so")
    if not os.path.exists(module):
        os.makedirs(out_dir, exist_ok=True)
        subprocess.check_call(["gcc", "-g", "-O0", "-shared", "-fPIC", "-I", include_dir,
                               "-o", module + ".tmp", source] + list(extra_flags))
        if stripped:
            subprocess.check_call(["strip", "--strip-all", module + ".tmp"])
        os.rename(module + ".tmp", module)
    return out_dir
