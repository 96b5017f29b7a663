# A python2.7 "service" with a memory problem, for docs/py-heap.md: a response cache that
# only grows, sessions that keep every request, parse trees with parent links (cycles, and
# gc is disabled), and one request object in 300 leaked by a C extension's extra incref
# (simulated here with ctypes). Prints its pid, then handles 1000 more requests per line
# read from stdin.
import ctypes
import gc
import json
import os
import sys

gc.disable()


class Session(object):
    def __init__(self, user):
        self.user = user
        self.history = []


class Request(object):
    __slots__ = ("path", "session", "payload")


class Node:
    def __init__(self, parent):
        self.parent = parent
        self.children = []


sessions = {}
cache = {}


def handle(number):
    session = sessions.setdefault(number % 50, Session("user%d" % (number % 50)))
    request = Request()
    request.path = "/item/%d" % number
    request.session = session
    request.payload = "x" * (100 + number % 900)
    cache[request.path] = request.payload
    session.history.append(request)
    root = Node(None)
    root.children = [Node(root) for _ in range(3)]
    if number % 300 == 0:
        leaked = Request()
        leaked.path = "/leaked/%d" % number
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(leaked))


handled = 0
while True:
    for number in range(handled, handled + 1000):
        handle(number)
    handled += 1000
    sys.stdout.write(json.dumps({"pid": os.getpid(), "handled": handled,
                                 "request": id(sessions[7].history[2])}) + "\n")
    sys.stdout.flush()
    if not sys.stdin.readline():
        break
