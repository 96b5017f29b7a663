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
