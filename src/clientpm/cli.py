"""The ``clientpm`` console command: a small front door over Django's management commands.

``clientpm serve`` runs the development server (or gunicorn when CLIENTPM_ENV=production);
every other sub-command (``migrate``, ``demo``, ``createsuperuser``, ``check``, ``bootstrap``,
``worker``…) is the management command of the same name, so ``clientpm help`` lists them all.
"""

from __future__ import annotations

import argparse
import atexit
import os
import subprocess
import sys


def _serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="clientpm serve", description="Serve clientpm over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("CLIENTPM_WEB_WORKERS", "3")))
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start the background job worker next to the web server (run `clientpm worker` yourself)",
    )
    args = parser.parse_args(argv)
    if not args.no_worker and os.environ.get("RUN_MAIN") != "true":  # not again in runserver's reloader
        _start_worker()
    if os.environ.get("CLIENTPM_ENV") == "production":
        from gunicorn.app.wsgiapp import run

        sys.argv = [
            "gunicorn",
            "clientpm.wsgi",
            f"--bind={args.host}:{args.port}",
            f"--workers={args.workers}",
            "--access-logfile=-",
        ]
        run()
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["clientpm", "runserver", f"{args.host}:{args.port}"])


def _start_worker() -> None:
    """Run the background job consumer (``clientpm worker``) beside the web server, so jobs such as
    re-scheduling a big project run on the embedded default without a second terminal. It stops
    with the server."""
    worker = subprocess.Popen([sys.executable, "-m", "clientpm.cli", "worker"])
    atexit.register(worker.terminate)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientpm.settings")
    if argv and argv[0] == "serve":
        _serve(argv[1:])
        return
    if argv and argv[0] == "worker":
        # Huey's consumer with the periodic schedule; `clientpm worker --workers 4` etc.
        argv = ["run_huey", *argv[1:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["clientpm", *argv])


if __name__ == "__main__":
    main()
