"""Output safety: slugs, paths kept inside the output folder, verification,
and atomic writes that survive a SIGKILL (the previous artifact stays, no
temp file is left behind)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from hostile_support import is_manifest

from pipeline.build.output import slugify, sweep_stale_temps, verify, write_atomic
from pipeline.errors import OutputError
from tests.clock import EPOCH

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS = b"%PDF-1.7\nprevious good artifact\n%%EOF\n"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../x", "x"),
        ("/etc/passwd", "etc-passwd"),
        ("..", "fallback"),
        (".bashrc", "bashrc"),
        ("CON", "fallback"),
        ("lpt1", "fallback"),
        ("🔥🎉", "fallback"),
        ("\u202eexe.fdp", "exe-fdp"),
        ("Élysée : l’été", "elysee-lete"),
        ("a\x00b", "a-b"),
        ("x" * 500, "x" * 80),
        ("mot " * 100, ("mot-" * 20)[:79]),
    ],
)
def test_slugs(title: str, expected: str) -> None:
    slug = slugify(title, fallback="fallback")
    assert slug == expected
    assert slug.isascii() and len(slug) <= 80 and not slug.startswith(".")


def test_refuses_to_write_outside_the_folder(tmp_path: Path) -> None:
    for name in ("../escape.pdf", "/tmp/abs.pdf", "sub/dir.pdf"):
        with pytest.raises(OutputError):
            write_atomic(tmp_path / "out", name, PREVIOUS)
    assert not (tmp_path / "escape.pdf").exists()


def test_refuses_a_symlinked_target_leading_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"keep")
    (out / "brief.pdf").symlink_to(victim)
    with pytest.raises(OutputError):
        write_atomic(out, "brief.pdf", PREVIOUS)
    assert victim.read_bytes() == b"keep"


def test_verification_refuses_broken_artifacts() -> None:
    with pytest.raises(OutputError):
        verify("pdf", PREVIOUS[:20])
    with pytest.raises(OutputError):
        verify("docx", b"PK\x03\x04 not a zip")
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("other.xml", "<x/>")
    with pytest.raises(OutputError):
        verify("docx", package.getvalue())


WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from pipeline.build import output
    mode = sys.argv[2]
    if mode == "named":
        del os.O_TMPFILE  # force the named temp-file fallback
    real_fsync = os.fsync
    def slow_fsync(fd):
        print("writing", flush=True)
        import time; time.sleep(30)  # a slow disk: the test kills us here
    os.fsync = slow_fsync
    data = b"%PDF-1.7 new " + b"x" * 100000 + b" %%EOF"
    output.write_atomic(Path(sys.argv[1]), "brief.pdf", data)
    """
)


def _has_tmpfile(folder: Path) -> bool:
    try:
        os.close(os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600))
    except (AttributeError, OSError):
        return False
    return os.path.exists("/proc/self/fd")


@pytest.mark.parametrize("mode", ["tmpfile", "named"])
def test_sigkill_while_writing_keeps_the_previous_artifact(tmp_path: Path, mode: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if mode == "tmpfile" and not _has_tmpfile(out):
        pytest.skip("no O_TMPFILE on this file system: the named fallback is tested instead")
    (out / "brief.pdf").write_bytes(PREVIOUS)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out), mode], stdout=subprocess.PIPE, env=env
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"writing"
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert (out / "brief.pdf").read_bytes() == PREVIOUS
    leftovers = [p.name for p in out.iterdir() if p.name != "brief.pdf" and not is_manifest(p)]
    if mode == "tmpfile":
        assert leftovers == []  # the data was written to an unnamed file
    else:
        # A named temp file cannot be removed by a killed process: the next
        # write sees its writer is gone and sweeps it.
        assert len(leftovers) == 1 and leftovers[0].startswith(f".tmp-{process.pid}-")
        write_atomic(out, "other.pdf", PREVIOUS)
        assert sorted(p.name for p in out.iterdir() if not is_manifest(p)) == [
            "brief.pdf",
            "other.pdf",
        ]


def test_sweep_keeps_temps_of_live_writers(tmp_path: Path) -> None:
    mine = tmp_path / f".tmp-{os.getpid()}-abc.part"
    mine.write_bytes(b"in progress")
    assert sweep_stale_temps(tmp_path) == []
    assert mine.exists()


# A real CLI build, paused at a point the test chooses: the build process
# announces the point on stdout and sleeps there until the test kills it.
# Points: the first fsync of the build process (the new bytes are in a temp
# file, not yet in place), just before and just after the rename that puts the
# new PDF in place.
PAUSED_BUILD = textwrap.dedent(
    """
    import os, sys, time
    point, out = sys.argv[1], sys.argv[2]
    build_pid = os.getpid()

    def pause(name):
        if name == point and os.getpid() == build_pid:
            print(name, flush=True)
            time.sleep(60)  # the test kills us here

    real_fsync, real_replace, real_rename = os.fsync, os.replace, os.rename

    def fsync(fd):
        pause("fsync")
        return real_fsync(fd)

    def place(real):
        def wrapped(src, dst, *args, **kwargs):
            final = str(dst).endswith(".pdf")
            if final:
                pause("before-rename")
            result = real(src, dst, *args, **kwargs)
            if final:
                pause("after-rename")
            return result
        return wrapped

    os.fsync, os.replace, os.rename = fsync, place(real_replace), place(real_rename)
    from pipeline.cli import main
    sys.exit(main(["build", sys.argv[3], "-o", out, "-f", "pdf"], sys.stderr, sys.stderr))
    """
)


def _wait_for_line(process: subprocess.Popen[bytes], seconds: float) -> bytes:
    import selectors

    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(seconds):
            return b""
    return process.stdout.readline().strip()


@pytest.mark.parametrize(
    ("point", "expected"),
    [("fsync", "previous"), ("before-rename", "previous"), ("after-rename", "new")],
)
def test_sigkill_of_a_real_build(tmp_path: Path, point: str, expected: str) -> None:
    """Kill a CLI build at a chosen moment: the old artifact or a complete new
    one, never a part, and no temp file or orphaned worker left behind."""
    source = tmp_path / "a.txt"
    source.write_text(
        "Titre\n\nLe gouvernement a présenté un projet de loi. Les députés en débattront.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "titre.pdf").write_bytes(PREVIOUS)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSED_BUILD, point, str(out), str(source)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Generous: a cold build on a loaded machine; the bound only stops a hang.
        reached = _wait_for_line(process, 120)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert reached == point.encode(), f"the build never reached {point!r}"
    data = (out / "titre.pdf").read_bytes()
    if expected == "previous":
        assert data == PREVIOUS
    else:
        assert data != PREVIOUS and data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    # A killed writer's named temp file (if any) is swept by the next write;
    # an unnamed one (O_TMPFILE) never appears at all.
    write_atomic(out, "other.pdf", PREVIOUS)
    assert sorted(p.name for p in out.iterdir() if not is_manifest(p)) == [
        "other.pdf",
        "titre.pdf",
    ]
    time.sleep(0.2)
    # The render worker dies with the build (PR_SET_PDEATHSIG): nothing orphaned writes later.
    assert (out / "titre.pdf").read_bytes() == data
