"""Test support: real python2.7 targets, real gdb sessions, C targets built with gcc."""
