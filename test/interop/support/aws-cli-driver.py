"""Runs AWS CLI v1 commands in one long-lived Python process, for the ecr-sweeper interop tests.

Each command goes through awscli's own driver (`awscli.clidriver.create_clidriver().main(argv)`,
exactly what the `aws` entry point calls), with a fresh driver per command, so parsing, signing,
the HTTP call and JSON output are the real CLI's. What this saves is the ~0.4 s interpreter and
import start-up of one `aws` process per command.

Protocol: one JSON request per stdin line, {"id": n, "args": [...]}; one JSON answer per stdout line,
{"id": n, "exitCode": int, "stdout": str, "stderr": str}. The environment (dummy credentials, no
config files) is set by the parent process.
"""
import contextlib
import io
import json
import os
import sys


def main() -> int:
    # The protocol owns the real stdout; each command writes into its own buffers.
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    try:
        from awscli.clidriver import create_clidriver
    except ImportError as err:  # pragma: no cover - environment problem, reported to the parent
        protocol.write(json.dumps({"id": -1, "fatal": f"cannot import awscli: {err}"}) + "\n")
        protocol.flush()
        return 2
    protocol.write(json.dumps({"id": 0, "ready": True}) + "\n")
    protocol.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = create_clidriver().main(request["args"])
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 255
            except Exception as exc:  # noqa: BLE001 - any crash is reported as that command's failure
                err.write(f"aws-cli-driver: {type(exc).__name__}: {exc}\n")
                code = 255
        answer = {"id": request["id"], "exitCode": code, "stdout": out.getvalue(), "stderr": err.getvalue()}
        protocol.write(json.dumps(answer) + "\n")
        protocol.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
