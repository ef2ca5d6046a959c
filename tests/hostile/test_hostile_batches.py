"""Batches keep what is finished and share an output folder safely
(issue 19 "Batches keep what is finished", issue 21 §8, §9).

Each test reads the output folder back: every file the manifest lists is
on disk with the recorded sha256, whatever was interrupted.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_support import assert_one_line_errors, is_manifest, run_cli

from pipeline.build import output
from pipeline.build.commit import Committer
from pipeline.build.manifest import ArtifactEntry, SourceEntry

ROOT = Path(__file__).resolve().parents[2]
BODY = "Le gouvernement a présenté mardi un projet de loi sur la sécurité des données.\n"


def articles(folder: Path, count: int, title: str = "Dossier") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"a{index:03d}.txt"
        path.write_text(f"{title} {index}\n\n" + BODY * 5, encoding="utf-8")
        paths.append(path)
    return paths


def config(folder: Path) -> str:
    path = folder / "config.yaml"
    path.write_text("language: fr\n", encoding="utf-8")
    return str(path)


def assert_manifest_true(out: Path) -> dict:  # type: ignore[type-arg]
    """Every listed artifact exists with its recorded bytes; every source's files are listed."""
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {a["path"]: a for a in data["artifacts"]}
    for path, entry in listed.items():
        content = (out / path).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], path
    for source in data["sources"]:
        for path in source["artifacts"]:
            assert path in listed, (source["source"], path)
            assert listed[path]["source"] == source["source"]
    return data


def python_build(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "build", *args]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_batch_keeps_what_it_finished(tmp_path: Path, stop: signal.Signals) -> None:
    sources = articles(tmp_path / "src", 12)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = python_build(str(tmp_path / "src"), "-o", str(out), "-f", "json,docx", "-j", "1")
    build = subprocess.Popen(
        [*argv, "-c", config(tmp_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the signal goes to the build's group, as a terminal sends it
    )
    try:
        deadline = time.monotonic() + 240
        finished = 0
        while time.monotonic() < deadline and build.poll() is None:
            manifest = load_manifest_quietly(out / "manifest.json")
            finished = len(manifest["sources"]) if manifest else 0
            if finished >= 3:
                break
            time.sleep(0.05)
        if build.poll() is not None:
            pytest.skip("the batch ended before it could be stopped")
        os.killpg(build.pid, stop)
        build.wait(timeout=60)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
    data = assert_manifest_true(out)
    kept = len(data["sources"])
    assert 3 <= kept < len(sources)
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]
    # The re-run goes on from there: what was finished is not built again.
    run = run_cli([*argv[3:], "-c", config(tmp_path)])
    assert run.code == 0, run.err
    assert f"{len(sources) - kept} built, {kept} unchanged, 0 failed" in run.out + run.err
    assert_manifest_true(out)


def load_manifest_quietly(path: Path) -> dict | None:  # type: ignore[type-arg]
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


def test_an_unwritable_output_folder_fails_before_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.build.batch as batch

    calls: list[str] = []
    real = batch.build_one
    monkeypatch.setattr(
        batch, "build_one", lambda source, **kw: calls.append(source) or real(source, **kw)
    )
    sources = articles(tmp_path / "src", 2)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    run = run_cli(
        [
            "build",
            *map(str, sources),
            "-o",
            str(blocker / "out"),
            "-f",
            "json",
            "-c",
            config(tmp_path),
        ]
    )
    assert run.code == 2
    assert_one_line_errors(run.err)
    assert "the output folder cannot be written" in run.err
    assert calls == []


def test_errors_are_printed_as_they_happen(tmp_path: Path) -> None:
    src = tmp_path / "src"
    sources = articles(src, 2)
    bad = src / "a000.txt"
    bad.write_bytes(b"")  # the first source fails
    lines: list[tuple[str, str]] = []

    class Stream:
        def __init__(self, name: str) -> None:
            self.name = name

        def write(self, text: str) -> int:
            lines.extend((self.name, line) for line in text.splitlines())
            return len(text)

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return False

    from pipeline.cli import main

    argv = ["build", *map(str, sources), "-o", str(tmp_path / "out"), "-f", "json"]
    code = main([*argv, "-c", config(tmp_path)], Stream("out"), Stream("err"))  # type: ignore[arg-type]
    assert code == 1
    error_at = next(i for i, (_, line) in enumerate(lines) if line.startswith("error: "))
    second_done = next(i for i, (_, line) in enumerate(lines) if "[2/2]" in line)
    assert error_at < second_done  # said before the next source was finished
    assert sum(line.startswith("error: ") for _, line in lines) == 1


# --- one folder, several builds ---------------------------------------------


def entries(source: str, stem: str, data: bytes) -> tuple[SourceEntry, list[ArtifactEntry]]:
    path = f"{stem}.json"
    common = {"config_hash": "c", "theme": "note", "package_version": "p", "build_time": "t"}
    artifact = ArtifactEntry(
        path=path,
        media_type="application/json",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        source=source,
        source_sha256="s",
        **common,
    )
    entry = SourceEntry(
        source=source,
        sha256="s",
        theme_hash="h",
        formats=("json",),
        slug=stem.rsplit("-", 1)[0] if stem != "titre" else stem,
        stem=stem,
        artifacts=(path,),
        **common,
    )
    return entry, [artifact]


def test_interleaved_builds_merge_their_manifests_and_names(tmp_path: Path) -> None:
    """Two builds (two committers) into one folder, their commits interleaved
    as concurrent processes would be under the lock."""
    out = tmp_path / "dist"
    first = Committer(out, out / "manifest.json", None, everyone={"a.txt"})
    second = Committer(out, out / "manifest.json", None, everyone={"b.txt"})
    for committer, source in ((first, "a.txt"), (second, "b.txt")):
        data = f'{{"source": "{source}"}}'.encode()
        committer.add(
            source, "titre", [("json", data)], lambda s, stem, names, d=data: entries(s, stem, d)
        )
    first.finish(False, {"titre.json"})
    second.finish(False, set())
    data = assert_manifest_true(out)
    assert sorted(s["source"] for s in data["sources"]) == ["a.txt", "b.txt"]
    stems = {s["source"]: s["stem"] for s in data["sources"]}
    assert stems["a.txt"] == "titre" and stems["b.txt"].startswith("titre-")
    assert json.loads((out / "titre.json").read_text())["source"] == "a.txt"


def test_concurrent_builds_into_one_folder(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    groups = [articles(tmp_path / f"src{k}", 2, title=f"Groupe {k}") for k in range(3)]
    same = [tmp_path / f"same{k}.txt" for k in range(2)]
    for path in same:
        path.write_text("Titre identique\n\n" + BODY, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cfg = config(tmp_path)
    builds = [
        subprocess.Popen(
            [*python_build(*map(str, files), "-o", str(out), "-f", "json,docx"), "-c", cfg],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for files in [*groups, [same[0]], [same[1]]]
    ]
    for build in builds:
        _, err = build.communicate(timeout=300)
        assert build.returncode == 0, err
    data = assert_manifest_true(out)
    assert len(data["sources"]) == 8
    on_disk = sorted(p.name for p in out.iterdir() if not is_manifest(p))
    assert on_disk == sorted(a["path"] for a in data["artifacts"])  # nothing unlisted
    stems = {Path(s["source"]).name: s["stem"] for s in data["sources"]}
    assert stems["same0.txt"] != stems["same1.txt"]
    assert {stems["same0.txt"], stems["same1.txt"]} & {"titre-identique"}


# --- one source's set -------------------------------------------------------


def test_a_failed_commit_never_leaves_the_manifest_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (source,) = articles(tmp_path / "src", 1)
    out = tmp_path / "out"
    argv = ["build", str(source), "-o", str(out), "-f", "json,docx", "-c", config(tmp_path)]
    assert run_cli(argv).code == 0
    source.write_text("Dossier 0\n\n" + BODY * 9, encoding="utf-8")  # changed: rebuilt

    real = output.os.replace
    renames: list[str] = []

    def full_disk_on_the_second(source_name: object, target: object) -> None:
        renames.append(str(target))
        if len(renames) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(source_name, target)  # type: ignore[arg-type]

    monkeypatch.setattr(output.os, "replace", full_disk_on_the_second)
    run = run_cli(argv)
    monkeypatch.setattr(output.os, "replace", real)
    assert run.code == 1
    assert_one_line_errors(run.err)
    assert "No space left on device" in run.err
    data = assert_manifest_true(out)  # the half-renamed set is not listed
    assert data["sources"] == []
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]
    again = run_cli(argv)
    assert again.code == 0 and "unchanged" not in again.out + again.err
    assert len(assert_manifest_true(out)["sources"]) == 1
