"""`make run`'s supervisor (config/devstack.py): a clean Ctrl-C ends with status 0, which `make`
reports as success, and leaves no child behind; a child that dies by itself is an error."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent

# Two long-running children, as web/worker/beat are; "ready" once they run, then their pids.
SUPERVISOR = textwrap.dedent(
    """
    import sys
    from config import devstack

    child = [sys.executable, "-c", "import time; time.sleep(120)"]

    def started():
        print("ready", flush=True)

    sys.exit(devstack.supervise([child, child], on_started=started, poll_s=0.05))
    """
)


def _start(tmp_path):
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", SUPERVISOR],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Its own process group, as a terminal gives `make run`: the test signals the group.
        start_new_session=True,
    )


def _children(process) -> list[psutil.Process]:
    return psutil.Process(process.pid).children()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_every_child_and_exits_0(tmp_path, sig):
    process = _start(tmp_path)
    assert process.stdout.readline().strip() == "ready"
    children = _children(process)
    assert len(children) == 2
    # A terminal's Ctrl-C signals the whole foreground process group.
    os.killpg(process.pid, sig)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]


def test_a_second_ctrl_c_while_stopping_still_exits_0(tmp_path):
    process = _start(tmp_path)
    assert process.stdout.readline().strip() == "ready"
    os.killpg(process.pid, signal.SIGINT)
    time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err


def test_a_child_that_dies_by_itself_stops_the_rest_with_status_1(tmp_path):
    process = _start(tmp_path)
    assert process.stdout.readline().strip() == "ready"
    children = _children(process)
    children[0].kill()
    out, _err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "A process exited" in out
    assert not children[1].is_running() or children[1].status() == psutil.STATUS_ZOMBIE


def test_the_first_install_says_what_it_is_doing():
    """`make run`'s first start installs for minutes: each step is announced and pip lists
    the packages as it goes (no --quiet)."""
    dry_run = subprocess.run(
        ["make", "-n", "-B", "install"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pip = [line for line in dry_run.splitlines() if "pip install" in line]
    assert pip
    assert all("--quiet" not in line and " -q" not in line for line in pip)
    assert "Installing the pinned packages" in dry_run


def test_the_readme_says_how_to_change_the_port():
    from config import devstack

    readme = (ROOT / "README.md").read_text()
    assert "YANGGUANG_PORT" in readme
    assert "YANGGUANG_PORT" in Path(devstack.__file__).read_text()
