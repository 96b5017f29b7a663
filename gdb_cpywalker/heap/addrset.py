"""A set of object addresses at one bit per 8 bytes of address space, in 1 MiB granules
allocated on first use: bounded memory (1/64 of the memory the objects are in) where a
Python set would keep an int per object."""

GRANULE_SHIFT = 20
_GRANULE_BYTES = 1 << (GRANULE_SHIFT - 6)
_INDEX_MASK = (1 << (GRANULE_SHIFT - 3)) - 1


class AddressSet:
    """``new = seen.add_new(addresses)``: the addresses not seen before, now marked."""

    def __init__(self):
        self.granules = {}
        self.count = 0

    def add_new(self, addresses):
        granules = self.granules
        new = []
        append = new.append
        for address in addresses:
            granule = granules.get(address >> GRANULE_SHIFT)
            if granule is None:
                granule = granules[address >> GRANULE_SHIFT] = bytearray(_GRANULE_BYTES)
            index = (address >> 3) & _INDEX_MASK
            bit = 1 << (index & 7)
            byte = granule[index >> 3]
            if not byte & bit:
                granule[index >> 3] = byte | bit
                append(address)
        self.count += len(new)
        return new

    def __contains__(self, address):
        granule = self.granules.get(address >> GRANULE_SHIFT)
        if granule is None:
            return False
        index = (address >> 3) & _INDEX_MASK
        return bool(granule[index >> 3] & (1 << (index & 7)))
