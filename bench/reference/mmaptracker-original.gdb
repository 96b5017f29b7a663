# A reconstruction of procmem's original mmaptracker.gdb, the reference for
# bench/bench_mmaptracker.py: gdb's output is copied to a log file in /tmp (appended), a breakpoint on
# mmap, and for each hit a backtrace, a 'finish' (to see the result) and 'continue'.
# It logs mmap only, and ends with an error ("No stack.") once the program has exited.

set pagination off
set breakpoint pending on
set logging file /tmp/mmaptracker-reference.log
set logging on

break mmap
run

while 1
  echo --- backtrace\n
  backtrace
  echo \ - finish\n
  finish
  echo ---\n\n
  continue
end
