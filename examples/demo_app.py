# A small python2.7 "service" for `make demo`: builds some state, prints where it is, waits.
import json
import mmap
import os
import sys
import threading


class Order(object):
    def __init__(self, number, items):
        self.number = number
        self.items = items
        self.note = u"caf\xe9 order"


def handle_request(orders, stop):
    pending = [order for order in orders if order.number % 2]
    stop.wait()
    return pending


def main():
    orders = [Order(n, {"apples": n, "pears": 2 * n}) for n in range(5)]
    scratch = mmap.mmap(-1, 64 * 1024)
    scratch.write("demo scratch buffer\0" * 100)
    stop = threading.Event()
    worker = threading.Thread(target=handle_request, args=(orders, stop), name="worker-1")
    worker.start()
    sys.stdout.write(json.dumps({"pid": os.getpid(), "orders": id(orders),
                                 "first_order": id(orders[0])}) + "\n")
    sys.stdout.flush()
    sys.stdin.readline()
    stop.set()
    worker.join()


if __name__ == "__main__":
    main()
