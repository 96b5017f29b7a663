"""Greenlets as text: ``py-bt --greenlets`` (per thread, each greenlet's header line and its
frames as py-bt prints them) and ``py-greenlets`` (one row per greenlet)."""

from .greenlets import class_run, greenlet_frames
from .namespaces import Name
from .text import (name_lines, table_text, thread_header, top_frame_text, traceback_lines,
                   value_text)


def summary(release, greenlets, how):
    """``greenlet 1.1.3: 9 greenlets (every object of the heap whose type is a greenlet)``."""
    return "greenlet %s: %d greenlet%s (%s)" % (release.version, len(greenlets),
                                                "" if len(greenlets) == 1 else "s", how)


def greenlet_header(greenlet):
    """``Greenlet 0x7f.. __main__.Worker (greenlet subclass), suspended, parent 0x7f..``."""
    if greenlet.problem:
        return "Greenlet %#x: %s" % (greenlet.address, greenlet.problem)
    parts = [greenlet.type_name + (" (greenlet subclass)" if greenlet.subclass else "")]
    if greenlet.main:
        parts.append("main")
    parts.append(greenlet.state)
    if greenlet.parent:
        parts.append("parent %#x" % greenlet.parent)
    return "Greenlet %#x %s" % (greenlet.address, ", ".join(parts))


def greenlet_block(process, greenlet, sources, show_locals=False, width=None):
    """A greenlet's header line, then its frames outermost first (``run`` when not started)."""
    yield greenlet_header(greenlet)
    if greenlet.problem or greenlet.state == "dead":
        return
    reader = process.reader
    if greenlet.state == "not started":
        run = greenlet.run or class_run(reader, greenlet.address)
        yield from name_lines(reader, [Name("run", run, "local")], width, "  ") if run else ["  (no run)"]
        return
    yield from traceback_lines(reader, greenlet_frames(process, greenlet), sources, show_locals, width)


def greenlet_backtrace(process, release, greenlets, threads, sources, how, show_locals=False,
                       width=None, native=lambda thread: None):
    """The lines of ``py-bt --greenlets``: per thread its header, then each of its greenlets
    (the running one first; a thread without one shows its own stack); greenlets of no known
    thread last."""
    yield summary(release, greenlets, how)
    yield ""
    for thread in threads:
        yield thread_header(thread, native(thread))
        mine = [greenlet for greenlet in greenlets if greenlet.thread == thread]
        if not any(greenlet.state == "running" for greenlet in mine):
            yield from traceback_lines(process.reader, process.stack(thread), sources, show_locals, width)
            yield ""
        for greenlet in mine:
            yield from greenlet_block(process, greenlet, sources, show_locals, width)
            yield ""
    orphans = [greenlet for greenlet in greenlets if greenlet.thread is None]
    if orphans:
        yield "Greenlets of no known thread"
        for greenlet in orphans:
            yield from greenlet_block(process, greenlet, sources, show_locals, width)
            yield ""


def greenlet_table(process, release, greenlets, how, width=None):
    """``py-greenlets``: one row per greenlet: address, type, state, thread, parent, top frame."""
    rows = [("address", "type", "state", "thread", "parent", "top frame")]
    for greenlet in greenlets:
        if greenlet.problem:
            rows.append(("%#x" % greenlet.address, "?", "?", "-", "-", "(%s)" % greenlet.problem))
            continue
        rows.append(("%#x" % greenlet.address, greenlet.type_name,
                     greenlet.state + (" (main)" if greenlet.main else ""),
                     "%#x" % greenlet.thread.thread_id if greenlet.thread else "-",
                     "%#x" % greenlet.parent if greenlet.parent else "-",
                     _top(process, greenlet, width)))
    return summary(release, greenlets, how) + "\n" + table_text(rows)


def _top(process, greenlet, width):
    if greenlet.state == "not started":
        run = greenlet.run or class_run(process.reader, greenlet.address)
        return "run = " + (value_text(process.reader, run, width) if run else "(none)")
    if greenlet.state == "dead":
        return "-"
    return top_frame_text(greenlet_frames(process, greenlet))
