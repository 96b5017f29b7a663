"""What the target is: ELF files, symbol addresses, and which CPython build it runs."""
