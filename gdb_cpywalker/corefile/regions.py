"""A core's memory map as Region records, and permissions for mappings a core did not dump.

The mapped files come from NT_FILE, the anonymous regions and every permission the core
knows from its PT_LOAD ``p_flags``; a file mapping with no segment (gcore skips unwritten
code and read-only data) takes the flags of the mapped file's own PT_LOAD at that
address. Both front ends use ``perms_from_files``: gdb on its own view of a core too.
"""

from ..coremaps import UNKNOWN_PERMS, merge_core_regions
from ..procfs import Region
from .core import segment_perms
from .notes import AT_SYSINFO_EHDR

PAGE_MASK = ~0xFFF


def load_sections(core):
    """``(start, end, perms)`` of each PT_LOAD segment, as ``coremaps.merge_core_regions`` takes."""
    return [(segment.vaddr, segment.vaddr + segment.memsz, segment_perms(segment.flags))
            for segment in core.loads]


def file_regions(core):
    """One Region (perms unknown) per NT_FILE mapping."""
    return [Region(mapping.start, mapping.end, UNKNOWN_PERMS, mapping.offset, path=mapping.path)
            for mapping in core.files or ()]


def core_regions(core, symbols):
    """Every region of ``core`` in address order, named as /proc/PID/maps would where it can."""
    landmarks = {"[stack]": core.stack_pointer(core.main_thread()),
                 "[vdso]": core.auxv.get(AT_SYSINFO_EHDR)}
    regions = merge_core_regions(file_regions(core), load_sections(core), landmarks)
    perms_from_files(regions, symbols)
    return regions


def perms_from_files(regions, symbols):
    """Give each file region whose perms are unknown those of its file's PT_LOAD there.

    ``symbols`` (target/symbols.py protocol) opens the files and knows their load bias.
    """
    for region in regions:
        if region.perms != UNKNOWN_PERMS or not region.path.startswith("/"):
            continue
        elf = symbols.elf(region.path)
        bias = symbols.load_bias(region.path)
        if elf is None or bias is None:
            continue
        vaddr = region.start - bias
        for segment in reversed(elf.load_segments):  # a later segment owns a page both touch
            if segment.vaddr & PAGE_MASK <= vaddr < segment.vaddr + segment.memsz:
                region.perms = segment_perms(segment.flags)
                break
