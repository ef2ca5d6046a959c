"""Briefs as CI artifacts: reproducible bytes, the manifest, incremental and
parallel batches, shards and --clean (issue 7).

Batch tests use short generated articles and DOCX+JSON where a PDF is not the
point, so the module stays quick; the reproducibility test builds all three
formats of the example article in two separate processes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from docx import Document as open_docx

from pipeline.build.manifest import Manifest, load_manifest
from pipeline.cli import main
from pipeline.read.sources import expand_sources, select_shard, shard_of
from tests.clock import EPOCH, iso_z, pdf_date

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "poutine-iran.txt"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def article(title: str, number: int) -> str:
    return (
        f"{title}\n\n"
        f"Ceci est le paragraphe d'introduction numéro {number}, une phrase complète.\n\n"
        "Contexte\n\n"
        f"Le contexte de l'article {number} est décrit ici en quelques mots simples et clairs.\n"
    )


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def artifacts_in(folder: Path) -> dict[str, str]:
    """File name -> sha256 of every brief in the folder (manifests aside)."""
    return {p.name: sha(p) for p in folder.iterdir() if not p.name.startswith("manifest")}


def mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


# --- 1. deterministic bytes -------------------------------------------------


def _build_in_subprocess(out: Path, source: Path, env_epoch: str | None, seed: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if env_epoch is not None:
        env["SOURCE_DATE_EPOCH"] = env_epoch
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONHASHSEED"] = seed  # set iteration order differs between the two runs
    subprocess.run(
        [sys.executable, "-m", "pipeline", "build", str(source), "-f", "pdf,docx,json",
         "-o", str(out), "-j", "1"],
        cwd=out.parent,
        env=env,
        check=True,
        capture_output=True,
    )  # fmt: skip


@pytest.mark.parametrize("epoch", [EPOCH, None], ids=["SOURCE_DATE_EPOCH", "default"])
def test_two_processes_give_identical_bytes(tmp_path: Path, epoch: str | None) -> None:
    source = EXAMPLE
    if epoch is None:
        # Without SOURCE_DATE_EPOCH the brief's date (the article's, else the
        # day of the build) stamps the files, never the clock time.
        source = tmp_path / "short.txt"
        source.write_text(article("Un titre court", 2))
    first, second = tmp_path / "one" / "dist", tmp_path / "two" / "out"
    first.parent.mkdir()
    second.parent.mkdir()
    _build_in_subprocess(first, source, epoch, "1")
    _build_in_subprocess(second, source, epoch, "2")
    one, two = artifacts_in(first), artifacts_in(second)
    assert sorted(Path(name).suffix for name in one) == [".docx", ".json", ".pdf"]
    assert one == two
    if epoch is not None:  # otherwise the manifest's build time is the clock's
        assert (first / "manifest.json").read_bytes() == (second / "manifest.json").read_bytes()
    pdf = next(first.glob("*.pdf"))
    reader = pypdf.PdfReader(pdf)
    assert len(reader.trailer["/ID"][0]) == 32  # a fixed identifier, derived from the content
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"] == reader.metadata["/ModDate"]
    if epoch is not None:
        assert reader.metadata["/ModDate"].startswith(pdf_date()[:10])


# --- 2. the manifest --------------------------------------------------------


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    base = tmp_path_factory.mktemp("manifest")
    sources = base / "articles"
    sources.mkdir()
    (sources / "alpha.txt").write_text(article("Premier dossier", 1))
    (sources / "beta.txt").write_text(article("Second dossier", 2))
    out = base / "dist"
    code, stdout, stderr = cli("build", str(sources), "-f", "pdf,docx,json", "-o", str(out))
    assert code == 0, stderr
    yield sources, out, stderr


def test_manifest_matches_the_files(small_build: tuple[Path, Path, str]) -> None:
    sources, out, status = small_build
    manifest = load_manifest(out / "manifest.json")
    assert manifest is not None
    on_disk = {p.name for p in out.iterdir() if p.name != "manifest.json"}
    assert {a.path for a in manifest.artifacts} == on_disk
    assert len(on_disk) == 6
    for entry in manifest.artifacts:
        path = out / entry.path
        assert entry.size == path.stat().st_size
        assert entry.sha256 == sha(path)
        assert entry.source_sha256 == sha(Path(entry.source))
        assert entry.build_time == iso_z()
        assert entry.theme == "note"
        assert entry.package_version.startswith("0.1.0+")  # version + code hash
        brief = json.loads((out / (Path(entry.path).stem + ".json")).read_text())
        if entry.path.endswith(".pdf"):
            assert entry.media_type == "application/pdf"
            assert entry.pages == len(pypdf.PdfReader(path).pages) >= 1
        elif entry.path.endswith(".docx"):
            assert entry.media_type.endswith("wordprocessingml.document")
            assert open_docx(str(path)).core_properties.title == brief["title"]
            assert entry.pages is None
        else:
            assert entry.media_type == "application/json"
            assert brief["title"] in ("Premier dossier", "Second dossier")
    assert {s.source for s in manifest.sources} == {
        str(sources / "alpha.txt"),
        str(sources / "beta.txt"),
    }
    assert "2 built, 0 unchanged, 0 failed" in status


# --- 3/4. incremental batches -------------------------------------------------


def _batch(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"a{number:02d}.txt"
        path.write_text(article(f"Dossier numéro {number}", number))
        paths.append(path)
    return paths


def test_untouched_rebuild_is_a_no_op_and_one_change_rebuilds_one(tmp_path: Path) -> None:
    paths = _batch(tmp_path / "src", 4)
    out = tmp_path / "dist"
    assert cli("build", str(tmp_path / "src"), "-f", "docx,json", "-o", str(out))[0] == 0
    before = mtimes(out)
    code, _, status = cli("build", str(tmp_path / "src"), "-f", "docx,json", "-o", str(out))
    assert code == 0
    assert mtimes(out) == before  # nothing rewritten, not even the manifest
    assert "0 built, 4 unchanged" in status
    os.utime(paths[1], (1, 1))  # a new mtime with the same content changes nothing
    assert (
        "0 built, 4 unchanged"
        in cli("build", str(tmp_path / "src"), "-f", "docx,json", "-o", str(out))[2]
    )
    assert mtimes(out) == before

    paths[2].write_text(article("Dossier numéro 2", 2) + "\nUn paragraphe ajouté, tout neuf.\n")
    code, _, status = cli("build", str(tmp_path / "src"), "-f", "docx,json", "-o", str(out))
    assert code == 0
    after = mtimes(out)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {"dossier-numero-2.docx", "dossier-numero-2.json", "manifest.json"}
    assert "1 built, 3 unchanged" in status
    manifest = load_manifest(out / "manifest.json")
    assert manifest is not None
    assert manifest.source(str(paths[2])).sha256 == sha(paths[2])  # type: ignore[union-attr]


def test_damaged_artifact_config_change_and_force_rebuild(tmp_path: Path) -> None:
    _batch(tmp_path / "src", 3)
    out = tmp_path / "dist"
    args = ("build", str(tmp_path / "src"), "-f", "json", "-o", str(out))
    assert cli(*args)[0] == 0
    damaged = out / "dossier-numero-1.json"
    damaged.write_text("{}")
    code, _, status = cli(*args)
    assert "1 built, 2 unchanged" in status
    assert json.loads(damaged.read_text())["title"] == "Dossier numéro 1"

    config = tmp_path / "config.yaml"
    config.write_text("organisation: Autre service\n")
    code, _, status = cli(*args, "-c", str(config))
    assert code == 0 and "3 built, 0 unchanged" in status  # the effective config changed

    code, _, status = cli(*args, "-c", str(config), "--force")
    assert code == 0 and "3 built, 0 unchanged" in status


# --- 3. a failing source in a parallel batch -------------------------------


def test_one_failure_in_ten_yields_nine_briefs_and_exit_1(tmp_path: Path) -> None:
    paths = _batch(tmp_path / "src", 10)
    paths[4].write_text("   \n\n")  # an empty article cannot become a brief
    out = tmp_path / "dist"
    code, stdout, stderr = cli(
        "build", str(tmp_path / "src"), "-f", "docx,json", "-o", str(out), "-j", "2"
    )
    assert code == 1
    assert f"error: {paths[4]}: the article is empty" in stderr
    assert stderr.count("error:") == 1
    docx = sorted(p.name for p in out.glob("*.docx"))
    assert len(docx) == 9 and "dossier-numero-4.docx" not in docx
    assert "9 built, 0 unchanged, 1 failed" in stderr
    manifest = load_manifest(out / "manifest.json")
    assert manifest is not None and len(manifest.artifacts) == 18
    assert str(paths[4]) not in {s.source for s in manifest.sources}


# --- 5. shards ---------------------------------------------------------------


def test_shards_cover_every_source_once_and_merge_to_the_single_manifest(
    tmp_path: Path,
) -> None:
    paths = _batch(tmp_path / "src", 7)
    # Two articles with the same title: their names must not depend on the shard.
    paths[5].write_text(article("Dossier numéro 1", 51))
    single = tmp_path / "single"
    assert cli("build", str(tmp_path / "src"), "-f", "json", "-o", str(single))[0] == 0

    merged = tmp_path / "merged"
    merged.mkdir()
    built: list[str] = []
    for k in (1, 2, 3):
        part = tmp_path / f"shard{k}"
        code, _, stderr = cli(
            "build", str(tmp_path / "src"), "-f", "json", "-o", str(part), "--shard", f"{k}/3"
        )
        assert code == 0, stderr
        manifest = load_manifest(part / f"manifest-{k}-of-3.json")
        assert manifest is not None and manifest.shard == f"{k}/3"
        built.extend(s.source for s in manifest.sources)
        for file in part.iterdir():
            shutil.copy2(file, merged / file.name)
    assert sorted(built) == sorted(str(p) for p in paths)  # each source exactly once

    parts = [str(merged / f"manifest-{k}-of-3.json") for k in (1, 2, 3)]
    code, stdout, stderr = cli("manifest", "merge", *parts)
    assert code == 0, stderr
    assert (merged / "manifest.json").read_bytes() == (single / "manifest.json").read_bytes()
    assert artifacts_in(merged) == artifacts_in(single)


def test_merge_refuses_a_missing_artifact(tmp_path: Path) -> None:
    _batch(tmp_path / "src", 2)
    out = tmp_path / "dist"
    args = ("build", str(tmp_path / "src"), "-f", "json", "-o", str(out), "--shard", "1/1")
    assert cli(*args)[0] == 0
    (out / "dossier-numero-0.json").unlink()
    code, _, stderr = cli("manifest", "merge", str(out / "manifest-1-of-1.json"))
    assert code == 1
    assert "dossier-numero-0.json" in stderr
    assert not (out / "manifest.json").exists()


def test_shard_partition_is_stable_and_complete() -> None:
    sources = [f"articles/{n:03d}.txt" for n in range(60)]
    parts = [select_shard(sources, (k, 4)) for k in range(1, 5)]
    assert sorted(s for part in parts for s in part) == sorted(sources)
    assert all(parts)  # 60 paths land in every one of 4 shards
    assert shard_of("articles/007.txt", 4) == shard_of("articles/007.txt", 4)
    assert select_shard(list(reversed(sources)), (2, 4)) == list(reversed(parts[1]))


@pytest.mark.parametrize("bad", ["0/3", "4/3", "x", "1/0"])
def test_bad_shard_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    code, _, stderr = cli("build", str(EXAMPLE), "-o", str(tmp_path), "--shard", bad)
    assert code == 2 and "--shard" in stderr and "Traceback" not in stderr


# --- 7. names, --out, --clean ------------------------------------------------


def test_same_titles_get_distinct_names_whatever_the_order(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("x.txt", "y.txt", "z.txt"):
        (src / name).write_text(article("Même titre", 1))
    names = []
    for order, out in ((("x", "y", "z"), "one"), (("z", "x", "y"), "two")):
        args = [str(src / f"{n}.txt") for n in order]
        assert cli("build", *args, "-f", "json", "-o", str(tmp_path / out))[0] == 0
        manifest = load_manifest(tmp_path / out / "manifest.json")
        assert manifest is not None
        names.append({s.source: s.stem for s in manifest.sources})
    assert names[0] == names[1]
    assert len(set(names[0].values())) == 3
    assert names[0][str(src / "x.txt")] == "meme-titre"


def test_clean_removes_only_listed_files(tmp_path: Path) -> None:
    paths = _batch(tmp_path / "src", 3)
    out = tmp_path / "deep" / "any" / "folder"
    assert cli("build", str(tmp_path / "src"), "-f", "json", "-o", str(out))[0] == 0
    keep = out / "notes-de-lequipe.json"
    keep.write_text("{}")  # not ours: --clean must leave it alone
    code, _, status = cli("build", str(paths[0]), "-f", "json", "-o", str(out), "--clean")
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "dossier-numero-0.json",
        "manifest.json",
        "notes-de-lequipe.json",
    ]
    assert "removed" in status
    manifest = load_manifest(out / "manifest.json")
    assert manifest is not None
    assert [a.path for a in manifest.artifacts] == ["dossier-numero-0.json"]


def test_without_clean_earlier_briefs_stay_listed(tmp_path: Path) -> None:
    paths = _batch(tmp_path / "src", 2)
    out = tmp_path / "dist"
    assert cli("build", str(paths[0]), "-f", "json", "-o", str(out))[0] == 0
    assert cli("build", str(paths[1]), "-f", "json", "-o", str(out))[0] == 0
    manifest = load_manifest(out / "manifest.json")
    assert manifest is not None
    assert {a.path for a in manifest.artifacts} == {
        "dossier-numero-0.json",
        "dossier-numero-1.json",
    }
    (out / "dossier-numero-0.json").unlink()
    assert cli("build", str(paths[1]), "-f", "json", "-o", str(out))[0] == 0
    manifest = Manifest.model_validate_json((out / "manifest.json").read_bytes())
    assert [a.path for a in manifest.artifacts] == ["dossier-numero-1.json"]  # never a missing file


# --- 3. source expansion ----------------------------------------------------


def test_paths_directories_and_globs_expand_sorted_and_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    names = ("b.txt", "a.txt", "sub/c.txt", "sub/.hidden/d.txt", "sub/notes.md", "sub/x.png")
    for name in names:
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text("x")
    # A directory holds the articles it has in any input format, hidden folders aside.
    assert expand_sources(["sub"]) == ["sub/c.txt", "sub/notes.md"]
    assert expand_sources(["*.txt"]) == ["a.txt", "b.txt"]
    assert expand_sources(["./b.txt", "*.txt", "sub", "b.txt"]) == [
        "b.txt",
        "a.txt",
        "sub/c.txt",
        "sub/notes.md",
    ]
    code, _, stderr = cli("build", "nothing-*.txt", "-o", "dist")
    assert code == 2 and "matches no file" in stderr


def test_config_sources_may_be_globs(tmp_path: Path) -> None:
    _batch(tmp_path / "articles", 2)
    config = tmp_path / "config.yaml"
    config.write_text("sources: ['articles/*.txt']\nformats: [json]\noutput_dir: out\n")
    code, stdout, stderr = cli("build", "-c", str(config))
    assert code == 0, stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("dossier*.json")) == [
        "dossier-numero-0.json",
        "dossier-numero-1.json",
    ]


def test_docx_batch_never_imports_weasyprint(tmp_path: Path) -> None:
    _batch(tmp_path / "src", 2)
    code = (
        "import sys, io; from pipeline.cli import main; "
        f"rc = main(['build', {str(tmp_path / 'src')!r}, '-f', 'docx', '-j', '2', "
        f"'-o', {str(tmp_path / 'out')!r}], io.StringIO(), io.StringIO()); "
        "assert rc == 0, rc; assert 'weasyprint' not in sys.modules; print('ok')"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_template_change_or_a_new_version_rebuilds_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.build.plan
    import pipeline.render.discovery

    themes = tmp_path / "themes"
    shutil.copytree(ROOT / "templates", themes)
    monkeypatch.setattr(pipeline.render.discovery, "templates_root", lambda: themes)
    _batch(tmp_path / "src", 3)
    args = ("build", str(tmp_path / "src"), "-f", "json", "-o", str(tmp_path / "dist"))
    assert "3 built" in cli(*args)[2]
    assert "0 built, 3 unchanged" in cli(*args)[2]
    css = themes / "note" / "style.css.j2"
    css.write_text(css.read_text() + "\n/* a new rule */\n")
    assert "3 built, 0 unchanged" in cli(*args)[2]
    monkeypatch.setattr(pipeline.build.plan, "package_fingerprint", lambda: "99.0+0123456789ab")
    assert "3 built, 0 unchanged" in cli(*args)[2]
    assert "0 built, 3 unchanged" in cli(*args)[2]


def test_progress_bar_and_rich_table_render(tmp_path: Path) -> None:
    from pipeline.build.progress import Progress, print_summary
    from pipeline.build.source import SourceResult
    from pipeline.errors import SourceError
    from pipeline.render import Artifact

    results = [
        SourceResult("a.txt", artifacts=[Artifact("pdf", b"%PDF-", pages=3)], seconds=1.25),
        SourceResult("b.txt", skipped=True),
        SourceResult("c.txt", error=SourceError("bad", file="c.txt")),
    ]
    for live in (True, False):
        stream = io.StringIO()
        with Progress(3, stream, live) as progress:
            for result in results:
                progress.advance(result)
        assert progress.count == 3
        if not live:
            assert stream.getvalue().splitlines()[0] == "[1/3] built     a.txt (1.2 s)"
    for rich_table in (True, False):
        stream = io.StringIO()
        print_summary(results, stream, rich_table)
        text = stream.getvalue()
        assert "a.txt" in text and "unchanged" in text and "failed" in text
        assert text.rstrip().endswith("1 built, 1 unchanged, 1 failed")


def test_the_ci_workflow_shards_and_merges_consistently() -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "briefs.yml").read_text())
    total = int(workflow["env"]["SHARDS"])
    build, merge = workflow["jobs"]["build"], workflow["jobs"]["merge"]
    assert build["strategy"]["matrix"]["shard"] == list(range(1, total + 1))
    commands = " ".join(step.get("run", "") for step in build["steps"])
    assert "--shard ${{ matrix.shard }}/${{ env.SHARDS }}" in commands
    assert "SOURCE_DATE_EPOCH" in commands
    assert merge["needs"] == "build"
    merged = " ".join(step.get("run", "") for step in merge["steps"])
    assert "manifest merge dist/manifest-*-of-${{ env.SHARDS }}.json" in merged
    assert (ROOT / "docs" / "ci.md").read_text().count("--shard") >= 3


def test_a_source_is_recognised_however_it_is_spelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _batch(tmp_path / "src", 1)
    assert (
        "wrote dist/dossier-numero-0.json" in cli("build", "./src/a00.txt", "src", "-f", "json")[2]
    )
    status = cli("build", str(tmp_path / "src" / "a00.txt"), "-f", "json")[2]
    assert "0 built, 1 unchanged" in status
    manifest = load_manifest(tmp_path / "dist" / "manifest.json")
    assert manifest is not None and [s.source for s in manifest.sources] == ["src/a00.txt"]


def test_the_code_fingerprint_follows_code_language_data_and_shared_templates(
    tmp_path: Path,
) -> None:
    """Editing the package (code, a language file, the shared base template)
    without a version bump still rebuilds: the manifest records their hash."""
    from pipeline.build.manifest import files_hash

    package = tmp_path / "pipeline"
    shutil.copytree(ROOT / "pipeline", package, ignore=shutil.ignore_patterns("__pycache__"))
    base = tmp_path / "_base"
    shutil.copytree(ROOT / "templates" / "_base", base)
    before = files_hash([package, base])
    assert files_hash([package, base]) == before  # stable
    for changed in (
        package / "understand" / "languages" / "fr.yaml",
        package / "render" / "docx" / "compose.py",
        base / "brief.html.j2",
    ):
        original = changed.read_bytes()
        changed.write_bytes(original + b"\n")
        assert files_hash([package, base]) != before, changed
        changed.write_bytes(original)
    (package / "notes.txt").write_text("not part of the output", encoding="utf-8")
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.py").write_text("# bytecode cache", encoding="utf-8")
    assert files_hash([package, base]) == before
