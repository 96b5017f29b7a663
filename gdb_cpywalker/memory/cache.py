"""A page cache that any backend can sit under: whole pages read once, then sliced.

Valid only while the target is stopped; front ends make a new cache per command. Reads
larger than UNCACHED_READ (a huge str, a big list's item array) go straight to the
backend: kept in the cache they would hold that memory twice.
"""

from ..errors import CpywalkerError, ProcessGone
from .base import Memory
from .readable import ReadableRuns

PAGE_SIZE = 4096
_PAGE_MASK = ~(PAGE_SIZE - 1)
#: Reads above this many bytes bypass the cache.
UNCACHED_READ = 1 << 20


class PageCache(Memory):
    """Reads through ``backend`` a page (or a run of pages) at a time and keeps them.

    ``ranges``: a function giving the target's readable ranges (default: the backend's
    ``readable_ranges``), asked once, the first time ``readable_end`` is.
    """

    def __init__(self, backend, max_pages=1 << 15, ranges=None):
        self.backend = backend
        self.name = backend.name
        self.writable = backend.writable
        self.max_pages = max_pages
        self._pages = {}
        self._ranges = ranges or backend.readable_ranges
        self._runs = None

    def readable_ranges(self):
        return self._ranges()

    def readable_end(self, address):
        """Where the readable memory holding ``address`` ends (``address`` itself when it
        is not readable), or None when the target's regions are unknown."""
        if self._runs is None:
            try:
                ranges = self._ranges()
            except ProcessGone:
                raise
            except CpywalkerError:
                ranges = None
            self._runs = False if ranges is None else ReadableRuns(ranges).end
        return self._runs(address) if self._runs else None

    def page(self, page_address):
        """Bytes of the page at ``page_address`` (page aligned); short or empty where unreadable."""
        data = self._pages.get(page_address)
        if data is None:
            if len(self._pages) >= self.max_pages:
                self._pages.clear()
            data = self.backend.read_partial(page_address, PAGE_SIZE)
            self._pages[page_address] = data
        return data

    def prefetch(self, address, size):
        """Read ``size`` bytes from ``address`` in as few backend calls as possible."""
        first = address & _PAGE_MASK
        last = (address + size - 1) & _PAGE_MASK
        missing = [p for p in range(first, last + PAGE_SIZE, PAGE_SIZE) if p not in self._pages]
        if not missing:
            return
        start = missing[0]
        data = self.backend.read_partial(start, missing[-1] + PAGE_SIZE - start)
        for page_address in missing:
            offset = page_address - start
            if offset >= len(data):
                break
            self._pages[page_address] = data[offset:offset + PAGE_SIZE]

    def read_partial(self, address, size):
        offset = address & (PAGE_SIZE - 1)
        page = self.page(address & _PAGE_MASK)
        if offset + size <= len(page):
            return page[offset:offset + size]
        if size > UNCACHED_READ:
            return self.backend.read_partial(address, size)
        if size > 2 * PAGE_SIZE:
            self.prefetch(address, size)
        out = []
        remaining = size
        while remaining > 0:
            page = self.page(address & _PAGE_MASK)
            chunk = page[offset:offset + remaining]
            if not chunk:
                break
            out.append(chunk)
            address += len(chunk)
            remaining -= len(chunk)
            offset = 0
            if len(page) < PAGE_SIZE:
                break
        return b"".join(out)

    def read_many(self, requests):
        """Small requests come from cached pages; the rest go to the backend in one batch."""
        results = [None] * len(requests)
        uncached = []
        for index, (address, size) in enumerate(requests):
            page = self._pages.get(address & _PAGE_MASK)
            offset = address & (PAGE_SIZE - 1)
            if page is not None and offset + size <= len(page):
                results[index] = page[offset:offset + size]
            else:
                uncached.append(index)
        if uncached:
            fetched = self.backend.read_many([requests[index] for index in uncached])
            for index, data in zip(uncached, fetched):
                results[index] = data
        return results

    def unreadable_reason(self, address):
        return self.backend.unreadable_reason(address)

    def write(self, address, data):
        written = self.backend.write(address, data)
        for page_address in range(address & _PAGE_MASK, address + len(data), PAGE_SIZE):
            self._pages.pop(page_address, None)
        return written
