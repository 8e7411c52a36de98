"""Exit statuses of every outlast command and of its worker processes (one place)."""

EXIT_OK = 0
#: The machine failed (a full disk, a lost cluster) or runs failed; the input was fine.
EXIT_FAILED = 1
#: Bad input: one line naming what is wrong and what is allowed; nothing written.
EXIT_USAGE = 2
#: After Ctrl-C, as shells report a process ended by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130
