# Sourced by gdb (tests/e2e/test_pywalk.py, bench_reprs): py-walk --format repr with no
# limits of every address in the JSON list at $CPYWALKER_CORPUS_IN, written as a JSON
# list of texts to $CPYWALKER_CORPUS_OUT. Use support.gdbsession.walk_all.
import json
import os

import gdb

_FULL = ("--max-depth unlimited --max-items unlimited --max-objects unlimited "
         "--max-string unlimited")


def _walk_all():
    addresses = json.load(open(os.environ["CPYWALKER_CORPUS_IN"]))
    texts = []
    for address in addresses:
        try:
            text = gdb.execute("py-walk --format repr %s %#x" % (_FULL, address),
                               to_string=True)
        except gdb.error as error:
            text = "py-walk: %s" % error
        texts.append(text[:-1] if text.endswith("\n") else text)
    with open(os.environ["CPYWALKER_CORPUS_OUT"], "w") as handle:
        json.dump(texts, handle)


_walk_all()
