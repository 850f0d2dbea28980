"""Runs a command on a new pseudo-terminal and bridges it to pipes for the rips-auth tests.

Usage: python3 pty-bridge.py COMMAND [ARG...]

Everything the command writes to the terminal (stdout and stderr alike) is copied to this
script's stdout, and everything written to this script's stdin is typed into the terminal.
When the command ends, the last line on stderr is "exit N" with its exit status (negative for
a signal).
"""

import os
import pty
import select
import subprocess
import sys


def main() -> None:
    primary, secondary = pty.openpty()
    child = subprocess.Popen(
        sys.argv[1:],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        close_fds=True,
        start_new_session=True,
    )
    os.close(secondary)
    stdin_fd = sys.stdin.fileno()
    stdin_open = True
    while True:
        watched = [primary] + ([stdin_fd] if stdin_open else [])
        readable, _, _ = select.select(watched, [], [], 0.1)
        if primary in readable:
            try:
                data = os.read(primary, 4096)
            except OSError:
                # Linux raises EIO once the command has exited and its output is drained.
                data = b""
            if not data:
                break
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        if stdin_open and stdin_fd in readable:
            data = os.read(stdin_fd, 4096)
            if data:
                os.write(primary, data)
            else:
                stdin_open = False
    status = child.wait()
    sys.stderr.write(f"exit {status}\n")


if __name__ == "__main__":
    main()
