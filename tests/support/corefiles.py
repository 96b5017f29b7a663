"""Core files as the kernel lays them out, made from gdb's gcore, for truncation tests.

gcore writes its PT_NOTE segment (registers, the file mappings) after all the memory, so a
gcore core cut short loses its notes and gdb refuses it. The kernel writes the notes
first: a core cut short by a core size limit or a full disk still opens, without the
memory past the cut. ``kernel_layout`` rewrites a gcore core that way (ELF64 only).
"""

import struct

_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
_PHDR = struct.Struct("<IIQQQQQQ")
PT_NOTE = 4
PAGE = 4096


def kernel_layout(source, dest):
    """Write ``source`` (an ELF64 core) to ``dest`` with the header, the program headers,
    the notes, then each segment's bytes page-aligned, and no section headers; returns
    ``[(p_type, p_offset, p_vaddr, p_filesz)]`` of the new file."""
    with open(source, "rb") as handle:
        data = handle.read()
    header = list(_HEADER.unpack_from(data))
    phoff, phentsize, phnum = header[5], header[9], header[10]
    phdrs = [list(_PHDR.unpack_from(data, phoff + index * phentsize)) for index in range(phnum)]
    order = sorted(range(phnum), key=lambda index: phdrs[index][0] != PT_NOTE)
    offset = _HEADER.size + phnum * _PHDR.size
    body = []
    for index in order:
        phdr = phdrs[index]
        if phdr[0] != PT_NOTE:
            offset += -offset % PAGE
        chunk = data[phdr[2]:phdr[2] + phdr[5]]
        body.append((offset, chunk))
        phdr[2] = offset
        offset += len(chunk)
    header[5], header[6], header[9], header[11], header[12], header[13] = (  # e_phoff, e_shoff,
        _HEADER.size, 0, _PHDR.size, 0, 0, 0)  # e_phentsize, e_shentsize, e_shnum, e_shstrndx
    out = bytearray(offset)
    _HEADER.pack_into(out, 0, *header)
    for index, phdr in enumerate(phdrs):
        _PHDR.pack_into(out, _HEADER.size + index * _PHDR.size, *phdr)
    for start, chunk in body:
        out[start:start + len(chunk)] = chunk
    with open(dest, "wb") as handle:
        handle.write(out)
    return [(phdr[0], phdr[2], phdr[3], phdr[5]) for phdr in phdrs]
