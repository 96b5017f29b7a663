"""Deny process_vm_readv/writev to this process with a seccomp filter (EPERM), as
container profiles do: the CLI must then fall back to /proc/PID/mem by itself."""

import ctypes
import errno
import struct

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
AUDIT_ARCH_X86_64 = 0xC000003E
#: x86_64 syscall numbers of process_vm_readv and process_vm_writev
DENIED = (310, 311)
# BPF opcodes: ld [k] (32-bit, absolute), jeq #k, ret #k
LOAD, JUMP_EQUAL, RETURN = 0x20, 0x15, 0x06


def _instruction(code, jump_true, jump_false, k):
    return struct.pack("<HBBI", code, jump_true, jump_false, k)


def deny_process_vm():
    """Install the filter on this process (and what it runs); x86_64 only."""
    count = len(DENIED)
    program = [_instruction(LOAD, 0, 0, 4),  # seccomp_data.arch: another one is allowed
               _instruction(JUMP_EQUAL, 0, count + 1, AUDIT_ARCH_X86_64),
               _instruction(LOAD, 0, 0, 0)]  # seccomp_data.nr
    program += [_instruction(JUMP_EQUAL, count - index, 0, number)  # to the EPERM return
                for index, number in enumerate(DENIED)]
    program += [_instruction(RETURN, 0, 0, SECCOMP_RET_ALLOW),
                _instruction(RETURN, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM)]
    code = b"".join(program)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("<HxxxxxxQ", len(program), ctypes.addressof(buffer))
    fprog_buffer = ctypes.create_string_buffer(fprog, len(fprog))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong,
                           ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog_buffer), 0, 0):
        raise OSError(ctypes.get_errno(), "cannot install the seccomp filter")
