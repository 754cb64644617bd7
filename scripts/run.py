"""Run the portal for development: web server, Celery worker and beat, until Ctrl-C.

Called by ``make run`` after set-up. Prepares the database (migrate, demo data when there are
no units yet, beat schedules), then starts the three processes, each in its own process group,
and stops all of them (and their children, such as the worker's pool) when any one exits or
when it is interrupted. Uses the embedded default unless DATABASE_URL / CELERY_BROKER_URL are set.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python")
ADDRESS = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")

DEMO_USERS = [
    ("admin", "city administrator (superuser)"),
    ("city", "city bureau staff"),
    ("anwen", "Safety & Stability Office"),
    ("tongzhou", "county bureau staff, 通州区"),
    ("rudong", "county bureau staff, 如东县"),
    ("officer", "safety officer of a 通州区 school"),
    ("inspector", "city inspector"),
    ("leader", "leader (read-only)"),
]
DEMO_PASSWORD = "demo-pass-2019"  # noqa: S105 - the documented demo password

HAS_UNITS = (
    "import sys; from campaign.models import OrgUnit; "
    "sys.exit(0 if OrgUnit.objects.exists() else 3)"
)


def manage(*args, check=True):
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=check)  # noqa: S603


def _die_with_parent():
    # Linux: the child gets SIGTERM if this supervisor dies without cleaning up (e.g. SIGKILL).
    os.setsid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def start(name, argv):
    print(f"--> starting {name}: {' '.join(argv)}", flush=True)
    return name, subprocess.Popen(argv, cwd=ROOT, preexec_fn=_die_with_parent)  # noqa: S603


def stop(procs):
    # The leader first, so that Celery shuts its own pool down (a warm shutdown) ...
    for _name, proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 15
    for _name, proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    # ... then whatever is left of each group (a pool child, the autoreloader's server child).
    for _name, proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def main():
    os.environ.setdefault("DEBUG", "true")
    os.chdir(ROOT)
    manage("migrate", "--noinput")
    if manage("shell", "--no-imports", "-c", HAS_UNITS, check=False).returncode != 0:
        print("--> the database has no units: loading the demo data (Nantong, December 2019)")
        manage("seed_demo")
    manage("sync_schedules")

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    celery = str(BIN / "celery")
    procs = []
    try:
        procs.append(start("web", [PYTHON, "manage.py", "runserver", ADDRESS]))
        procs.append(
            start("worker", [celery, "-A", "portal", "worker", "-l", "info", "--concurrency", "2"])
        )
        procs.append(start("beat", [celery, "-A", "portal", "beat", "-l", "info"]))
        time.sleep(2)
        print(
            f"\n  The portal runs at http://{ADDRESS}  (Ctrl-C stops web, worker and beat)\n"
            f"  Demo logins, all with the password {DEMO_PASSWORD}:",
            flush=True,
        )
        for username, role in DEMO_USERS:
            print(f"    {username:<10} {role}")
        print(flush=True)
        while not stopping:
            for name, proc in procs:
                if proc.poll() is not None:
                    print(f"--> {name} exited with code {proc.returncode}: stopping the rest")
                    stopping = True
                    break
            time.sleep(0.5)
    finally:
        # A second Ctrl-C while stopping must not leave processes behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("--> stopping web, worker and beat", flush=True)
        stop(procs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
