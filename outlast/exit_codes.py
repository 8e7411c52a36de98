"""Exit statuses of every outlast command and of its worker processes (one place)."""

EXIT_OK = 0
#: The input was fine but not everything went as it should: runs of a sweep or validation failed
#: (after everything was written), a rerun did not match, the machine failed (a full disk, a lost
#: cluster).
EXIT_FAILED = 1
#: Bad input: one line naming what is wrong and what is allowed; nothing written.
EXIT_USAGE = 2
#: After Ctrl-C, as shells report a process ended by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130

#: What each status means, for `outlast --help` and the README.
EXIT_STATUSES = {
    EXIT_OK: "done (a rerun: it matched bit for bit)",
    EXIT_FAILED: (
        "runs failed (all else written), a rerun differs or the installation changed, or "
        "the machine failed (disk full, cluster lost)"
    ),
    EXIT_USAGE: "bad input: one line says what is wrong and what is allowed; nothing written",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C); finished runs are kept",
}
