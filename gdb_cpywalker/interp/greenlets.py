"""Greenlets of a CPython 2.7 target, read from memory: the loaded greenlet release, and each
greenlet's state, parent, thread and Python frames. Nothing here calls into the target.

The release is the ``__version__`` of ``sys.modules["greenlet"]`` (the extension's file name
carries none); it picks the struct layout in ``layouts/greenlet.py``, and the layout is checked
against the type's ``tp_basicsize`` before any greenlet is read.

States, from greenlet.h's macros: a main greenlet has ``stack_stop == -1``; started means
``stack_stop != NULL``, active ``stack_start != NULL``. Not started: neither; dead: started
and not active. Switching out saves ``tstate->frame`` in ``top_frame`` and switching in
moves it back and clears it, so an active greenlet with a top frame is suspended there and
one without is running: its frames are its thread's current frames.

Which thread a greenlet belongs to: in 0.4/1.x a started greenlet's ``run_info`` is its
thread's ``PyThreadState.dict``. In 2.0 a greenlet names its thread's main greenlet, whose
``ThreadState`` names the thread's current greenlet, but nothing there names the Python thread:
the ``f_tstate`` of any frame a greenlet of that family saved does. A greenlet without its
own evidence (not started, dead) is shown in its parent's thread.
"""

from collections import namedtuple

from ..decode.objects import dict_lookup_str
from ..decode.reader import MAX_BASES
from ..errors import CpywalkerError, DecodeError, UnsupportedTarget
from ..layouts import greenlet_layout
from ..layouts.greenlet import MAIN_STACK_STOP, layout_name, supported_releases
from .frames import frame_chain

#: States, in the order a thread's greenlets are listed.
STATES = ("running", "suspended", "not started", "dead")

#: A parent chain longer than this is corrupt.
MAX_PARENTS = 1000


class NoGreenletModule(CpywalkerError):
    """The target has not imported greenlet."""


#: ``layout`` is the compiled layout of ``layout_name`` ("c" or "cpp"); ``type`` the address
#: of ``greenlet.greenlet``.
Release = namedtuple("Release", "version layout_name layout module type")

#: One greenlet as read: ``state`` one of STATES; ``main`` True for a thread's main greenlet;
#: ``top_frame`` the saved innermost frame of a suspended one; ``run`` the callable of a
#: not started one (0: its class's ``run``); ``thread`` its ``PythonThread`` or None;
#: ``problem`` why it could not be read (then only ``address`` is meaningful).
Greenlet = namedtuple("Greenlet", "address type_name subclass main state parent top_frame run "
                                  "thread problem")


def find_release(process):
    """The ``Release`` of greenlet loaded in ``process``; NoGreenletModule or UnsupportedTarget."""
    reader = process.reader
    modules = reader.fields(reader.layout.PyInterpreterState, process.interpreter.address)["modules"]
    module = reader.str_keyed(modules).get("greenlet")
    if not module:
        raise NoGreenletModule("no greenlet module in this process (sys.modules has no 'greenlet')")
    namespace = reader.str_keyed(reader.word(module + reader.layout.PyModuleObject.md_dict))
    if "__version__" not in namespace:
        raise UnsupportedTarget("the greenlet module at %#x has no __version__" % module)
    try:
        version = reader.string(namespace["__version__"])
    except CpywalkerError as error:
        raise UnsupportedTarget("the greenlet module at %#x: unreadable __version__ (%s)" % (module, error))
    name = layout_name(version)
    if name is None:
        raise UnsupportedTarget("greenlet %s is not supported (supported releases: %s)"
                                % (version, supported_releases()))
    layout = greenlet_layout(name, reader.psize)
    type_address = namespace.get("greenlet", 0)
    try:
        info = reader.type_info(type_address)
    except CpywalkerError as error:
        raise UnsupportedTarget("greenlet %s: greenlet.greenlet is unreadable (%s)" % (version, error))
    if info.name != "greenlet.greenlet" or info.basicsize != layout.PyGreenlet.size:
        raise UnsupportedTarget(
            "greenlet %s: its type %s is %d bytes, the %s layout of greenlet %s has %d"
            % (version, info.name, info.basicsize, name, version, layout.PyGreenlet.size))
    return Release(version, name, layout, module, type_address)


def is_greenlet_type(reader, release, type_address):
    """True when ``type_address`` is greenlet.greenlet or a subclass (its tp_base chain)."""
    for _ in range(MAX_BASES):
        if type_address == release.type:
            return True
        if not type_address:
            return False
        try:
            type_address = reader.type_info(type_address).base
        except CpywalkerError:
            return False
    return False


def is_greenlet(reader, release, address):
    try:
        return is_greenlet_type(reader, release, reader.object_header(address)[1].address)
    except CpywalkerError:
        return False


#: The fields both layouts give, as ``_raw`` reads them; ``thread_key`` is the thread's state
#: dict (0.4/1.x) or the main greenlet (2.0); ``thread_state`` the 2.0 ThreadState or 0.
_Raw = namedtuple("_Raw", "stack_start stack_stop parent top_frame run thread_key thread_state")


def _raw(reader, release, address, thread_states):
    """``thread_states`` caches ``{2.0 main greenlet: its ThreadState}``."""
    layout = release.layout
    if release.layout_name == "c":
        fields = reader.fields(layout.PyGreenlet, address)
        started = fields["stack_stop"] != 0
        return _Raw(fields["stack_start"], fields["stack_stop"], fields["parent"], fields["top_frame"],
                    0 if started else fields["run_info"], fields["run_info"] if started else 0, 0)
    pimpl = reader.fields(layout.PyGreenlet, address)["pimpl"]
    if not pimpl:
        raise DecodeError(address, "greenlet without its C++ object (pimpl is NULL)")
    common = reader.fields(layout.MainGreenlet, pimpl)
    if common["self"] != address:
        raise DecodeError(address, "pimpl %#x does not point back to its greenlet (not a greenlet 2.0 "
                                   "object?)" % pimpl)
    if common["stack_stop"] == main_stack_stop(reader):
        return _Raw(common["stack_start"], common["stack_stop"], 0, common["top_frame"], 0, address,
                    common["thread_state"])
    user = reader.fields(layout.UserGreenlet, pimpl)
    main = user["main_greenlet"]
    if main and main not in thread_states:
        try:
            main_pimpl = reader.fields(layout.PyGreenlet, main)["pimpl"]
            thread_states[main] = reader.fields(layout.MainGreenlet, main_pimpl)["thread_state"]
        except CpywalkerError:
            thread_states[main] = 0
    return _Raw(user["stack_start"], user["stack_stop"], user["parent"], user["top_frame"],
                user["run_callable"], main, thread_states.get(main, 0))


def main_stack_stop(reader):
    """``stack_stop`` of a main greenlet, (char*)-1, as an unsigned pointer-sized word."""
    return MAIN_STACK_STOP & (1 << 8 * reader.psize) - 1


def read_greenlets(process, release, addresses, threads):
    """The ``Greenlet`` of each address, ordered by thread (as ``threads``), then main first,
    then by state and address; greenlets of no known thread last."""
    reader = process.reader
    raws = {}
    out = {}
    thread_states = {}
    for address in addresses:
        try:
            raws[address] = _raw(reader, release, address, thread_states)
        except CpywalkerError as error:
            out[address] = Greenlet(address, "?", False, False, None, 0, 0, 0, None, str(error))
    owners = _owner_threads(process, release, raws, threads)
    for address, raw in raws.items():
        try:
            info = reader.object_header(address)[1]
            type_name = info.qualified_name
            subclass = info.address != release.type
        except CpywalkerError:
            type_name, subclass = "?", False
        main = raw.stack_stop == main_stack_stop(reader)
        thread = owners.get(address)
        out[address] = Greenlet(address, type_name, subclass, main,
                                _state(reader, release, raw, address), raw.parent, raw.top_frame,
                                raw.run, thread, None)
    order = {thread.address: index for index, thread in enumerate(threads)}

    def key(greenlet):
        thread_rank = order.get(greenlet.thread.address, len(order)) if greenlet.thread else len(order)
        state_rank = STATES.index(greenlet.state) if greenlet.state else len(STATES)
        return thread_rank, state_rank, not greenlet.main, greenlet.address
    return sorted(out.values(), key=key)


def _state(reader, release, raw, address):
    if not raw.stack_stop:
        return "not started"
    if not raw.stack_start:
        return "dead"
    if raw.top_frame:
        return "suspended"
    if raw.thread_state:
        try:
            current = reader.word(raw.thread_state + release.layout.ThreadState.current_greenlet)
            return "running" if current == address else "suspended"
        except CpywalkerError:
            pass
    return "running"


def _owner_threads(process, release, raws, threads):
    """``{greenlet address: PythonThread}`` for the greenlets whose thread is known."""
    reader = process.reader
    owners = {}
    if release.layout_name == "c":
        by_dict = {}
        for thread in threads:
            try:
                by_dict[reader.word(thread.address + reader.layout.PyThreadState.dict)] = thread
            except CpywalkerError:
                continue
        for address, raw in raws.items():
            if raw.thread_key in by_dict:
                owners[address] = by_dict[raw.thread_key]
    else:
        by_tstate = {thread.address: thread for thread in threads}
        families = {}
        for address, raw in raws.items():
            if raw.thread_key and raw.top_frame and raw.thread_key not in families:
                tstate = _frame_tstate(reader, raw.top_frame)
                if tstate in by_tstate:
                    families[raw.thread_key] = by_tstate[tstate]
        _match_last_family(raws, families, threads)
        for address, raw in raws.items():
            if raw.thread_key in families:
                owners[address] = families[raw.thread_key]
    for address in raws:
        _inherit_parent_thread(address, raws, owners)
    return owners


def _frame_tstate(reader, frame):
    try:
        return reader.word(frame + reader.layout.PyFrameObject.f_tstate)
    except CpywalkerError:
        return None


def _match_last_family(raws, families, threads):
    """One 2.0 family and one thread without evidence left: they belong together."""
    unmatched = {raw.thread_key for raw in raws.values() if raw.thread_key} - set(families)
    claimed = {thread.address for thread in families.values()}
    free = [thread for thread in threads if thread.address not in claimed]
    if len(unmatched) == 1 and len(free) == 1:
        families[unmatched.pop()] = free[0]


def _inherit_parent_thread(address, raws, owners):
    chain = []
    while address in raws and address not in owners and address not in chain and len(chain) < MAX_PARENTS:
        chain.append(address)
        address = raws[address].parent
    thread = owners.get(address)
    if thread is not None:
        for member in chain:
            owners[member] = thread


def greenlet_frames(process, greenlet):
    """``(frames, problem)`` of a greenlet, innermost first: a suspended one's saved chain, a
    running one's thread's current chain, none for the others."""
    if greenlet.state == "suspended":
        return frame_chain(process.reader, greenlet.top_frame)
    if greenlet.state == "running" and greenlet.thread is not None:
        return process.stack(greenlet.thread)
    if greenlet.state == "running":
        return [], "running in a thread not found: its frames are that thread's stack"
    return [], None


def class_run(reader, greenlet_address):
    """The ``run`` a subclass defines (the first class of the MRO whose dict has one), or 0."""
    try:
        info = reader.object_header(greenlet_address)[1]
        for type_address in reader.tuple_items(info.mro):
            found = dict_lookup_str(reader, reader.type_info(type_address).dict, b"run")
            if found:
                return found
    except CpywalkerError:
        pass
    return 0
