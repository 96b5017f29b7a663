"""A count per object address at one byte per 16 bytes of address space, in 64 KiB granules
allocated on first use; counts past 255 go to a dict (the few objects referenced that
often: types, None, small ints). Two objects never share 16 bytes: every object is at
least 16 bytes long. Addresses outside ``where`` (the memory objects can be in) start no
granule: a damaged object's garbage words cannot make the map grow without bound."""

GRANULE_SHIFT = 16
_COUNTERS = 1 << (GRANULE_SHIFT - 4)
_INDEX_MASK = _COUNTERS - 1
_SATURATED = 255


class CountMap:
    """``counts.add(addresses)`` then ``counts.get(address)``."""

    def __init__(self, where=None):
        self.granules = {}
        self.overflow = {}
        self.where = where

    def add(self, addresses):
        granules = self.granules
        where = self.where
        for address in addresses:
            granule = granules.get(address >> GRANULE_SHIFT)
            if granule is None:
                if where is not None and address not in where:
                    continue
                granule = granules[address >> GRANULE_SHIFT] = bytearray(_COUNTERS)
            index = (address >> 4) & _INDEX_MASK
            count = granule[index]
            if count < _SATURATED:
                granule[index] = count + 1
            else:
                self.overflow[address] = self.overflow.get(address, _SATURATED) + 1

    def get(self, address):
        granule = self.granules.get(address >> GRANULE_SHIFT)
        if granule is None:
            return 0
        count = granule[(address >> 4) & _INDEX_MASK]
        return self.overflow.get(address, count) if count == _SATURATED else count
