# The mmaptracker benchmark's Python program: N (default 2000) mmap.mmap/close pairs of two pages,
# each made two Python calls deep.
import mmap
import sys


def two_pages():
    return mmap.mmap(-1, 8192)


def churn(pairs):
    for _ in range(pairs):
        two_pages().close()


churn(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
