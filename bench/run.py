"""Benchmark: our pipeline against the raw libraries it stands on, in one run.

    python bench/run.py [--repeat 5] [--batch 50]

Every figure is a median of `--repeat` runs, and every ratio compares two
figures measured in this same run on this same machine, so the ratios (not
the seconds) are what to compare across machines. Prints a table and writes
bench/results.json.

Measured:
- cold build (new process) of the example to PDF+DOCX, vs a baseline process
  that only imports WeasyPrint and python-docx and renders the same HTML and
  the same paragraphs with the same WeasyPrint options (tags, PDF variant):
  the "physical limit" of the stack; and the same pair untagged
  (`--pdf-variant none` vs plain `write_pdf`). The two commands of a pair
  run in turn, and timed runs have no memory sampler beside them;
- cold DOCX-only build, vs the bare `python -c "import docx"` (the floor of
  any python-docx build; the two run in turn, in wall-clock and in CPU
  seconds) and vs `pandoc SOURCE.md -o out.docx` when pandoc exists, with a
  warm DOCX-only build (what `pipeline watch` does) beside;
- warm per-brief PDF render inside one process (second and later briefs) vs
  the first (cold) render in that process, both in process and the way builds
  and `pipeline watch` render (build_one: a forked, limited child per brief);
- a batch of generated articles with -j 1 and -j 2 (and how many cores each
  keeps busy: CPU seconds of the tree / wall seconds), and a no-op rebuild
  of it (when the installed pipeline has those options);
- peak RSS of one build and of the batch: the largest single process
  (ru_maxrss from wait4) and the whole process tree (PSS summed over the
  build, its workers and their render children, sampled every 20 ms).

Before timing, the package's bytecode is written (`compile_bytecode`), as
an installed package has it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "poutine-iran.txt"
PY = sys.executable
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764028800", "PYTHONPATH": str(ROOT)}


def compile_bytecode() -> None:
    """Write the package's bytecode (`__pycache__`, ignored by git) before
    anything is timed. An installed package has it (pip compiles on install)
    and python-docx's, the floor's, has it too; a checkout run with
    PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module of ours
    from source in every timed process (~0.1 s of CPU per cold build)."""
    subprocess.run(
        [PY, "-m", "compileall", "-q", str(ROOT / "pipeline")],
        env={key: value for key, value in ENV.items() if key != "PYTHONDONTWRITEBYTECODE"},
        stdout=subprocess.DEVNULL,
        check=True,
    )


def _children(pid: int) -> list[int]:
    try:
        found = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            found.extend(int(child) for child in text.split())
        return found
    except OSError:
        return []


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared (copy-on-write) pages counted once overall."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_mb(pid: int) -> float:
    """PSS of a process and all its descendants, in MB (0 where /proc lacks it)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += _pss_kb(current)
        stack.extend(_children(current))
    return total / 1024


def run_child(
    argv: list[str], cwd: Path = ROOT, sample: bool = False
) -> tuple[float, int, int, float, float]:
    """Run a process; return (seconds, peak RSS of its largest process in MB,
    exit code, peak PSS of its whole process tree in MB when `sample`, CPU
    seconds of the process and the children it waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak_tree = [0.0]
    done = threading.Event()

    def sampler() -> None:
        while not done.wait(0.02):
            peak_tree[0] = max(peak_tree[0], tree_pss_mb(proc.pid))

    watcher = threading.Thread(target=sampler, daemon=True)
    if sample:
        watcher.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    if sample:
        watcher.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"benchmark step failed: {' '.join(argv)}\n{err}")
    if proc.stderr:
        proc.stderr.close()
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss // 1024, proc.returncode, peak_tree[0], cpu


def median_of(
    repeat: int, argv: list[str], sample: bool = False
) -> tuple[float, int, float, float]:
    """(median seconds, max peak RSS of one process in MB, max tree PSS in MB,
    median number of cores kept busy: CPU seconds / wall seconds)."""
    times, peaks, trees, busy = [], [], [], []
    for _ in range(repeat):
        seconds, peak, _code, tree, cpu = run_child(argv, sample=sample)
        times.append(seconds)
        peaks.append(peak)
        trees.append(tree)
        busy.append(cpu / seconds)
    return statistics.median(times), max(peaks), max(trees), statistics.median(busy)


def median_pair(repeat: int, first: list[str], second: list[str]) -> tuple[float, float]:
    """Medians of two commands run in turn (A B A B ...), so a change in the
    machine's load during the run weighs on both alike."""
    (first_s, _), (second_s, _) = paired(repeat, first, second)
    return first_s, second_s


def paired(
    repeat: int, first: list[str], second: list[str]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(median seconds, median CPU seconds) of each of two commands run in
    turn. CPU seconds (the process and the children it waited for) count
    the work done whatever else the machine runs; on a busy machine they
    are the steadier figure."""
    runs: tuple[list[tuple[float, float]], list[tuple[float, float]]] = ([], [])
    for _ in range(repeat):
        for argv, bucket in ((first, runs[0]), (second, runs[1])):
            seconds, _peak, _code, _tree, cpu = run_child(argv)
            bucket.append((seconds, cpu))
    medians = [
        (statistics.median(s for s, _ in bucket), statistics.median(c for _, c in bucket))
        for bucket in runs
    ]
    return medians[0], medians[1]


BASELINE = r"""
import sys, json
from weasyprint import HTML, CSS
from docx import Document
html, css, base_url, paragraphs, pdf_out, docx_out = json.load(open(sys.argv[1], encoding="utf-8"))
options = json.loads(sys.argv[2])  # what our build asks WeasyPrint for: tags, variant
HTML(string=html, base_url=base_url).write_pdf(pdf_out, stylesheets=[CSS(string=css, base_url=base_url)], **options)
doc = Document()
for style, text in paragraphs:
    doc.add_paragraph(text, style=style)
doc.save(docx_out)
"""


def prepare_baseline(work: Path) -> Path:
    """The exact HTML/CSS and paragraphs our renderers produce for the example."""
    sys.path.insert(0, str(ROOT))
    os.environ["SOURCE_DATE_EPOCH"] = ENV["SOURCE_DATE_EPOCH"]
    from pipeline.build.clock import build_date
    from pipeline.build.plan import BriefSettings, load_theme_for
    from pipeline.build.source import make_brief
    from pipeline.config.model import load_config
    from pipeline.read.ingest import read_source
    from pipeline.render.html import render_html

    config = load_config(ROOT / "config.yaml")
    brief = make_brief(read_source(str(EXAMPLE)), BriefSettings.of(config), build_date(), [])
    theme = load_theme_for(config)
    html, css = render_html(brief, theme)
    paragraphs = [("Title", brief.title)]
    for section_text in brief.body_texts()[1:]:
        paragraphs.append(("Normal", section_text))
    spec = work / "baseline.json"
    spec.write_text(
        json.dumps(
            [
                html,
                css,
                theme.folder.as_uri() + "/",
                paragraphs,
                str(work / "b.pdf"),
                str(work / "b.docx"),
            ]
        ),
        encoding="utf-8",
    )
    script = work / "baseline.py"
    script.write_text(BASELINE, encoding="utf-8")
    return spec


WARM = r"""
import sys, time, json
from pathlib import Path
from pipeline.build.plan import make_plan
from pipeline.build.source import build_one, make_brief, warm_up
from pipeline.config.model import load_config
from pipeline.read.ingest import read_source
from pipeline.render.formats import renderer_for
plan = make_plan(load_config(Path("config.yaml")), ("pdf",))
render = renderer_for("pdf")
source, repeat, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
times = []
if mode == "inprocess":  # make_brief + render_pdf, no isolation
    for i in range(repeat + 1):
        start = time.perf_counter()
        render(make_brief(read_source(source), plan.brief, plan.today, []), plan.theme)
        times.append(time.perf_counter() - start)
else:  # build_one: read, structure, render in a forked limited child (build, watch)
    for i in range(repeat + 1):
        start = time.perf_counter()
        result = build_one(source, plan, warm_render=i == 0)
        assert result.error is None, result.error
        times.append(time.perf_counter() - start)
        if i == 0:  # as `pipeline watch` does after its first build
            warm_up(("pdf",), result.brief, plan.theme, render=True)
print(json.dumps(times))
"""


def run_script(script: str, *args: str) -> object:
    """What a `python -c script args...` process prints, as JSON."""
    done = subprocess.run(
        [PY, "-c", script, *args], cwd=ROOT, env=ENV, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout)


def warm_render(repeat: int, mode: str) -> tuple[float, float]:
    """(first render, median of later renders) of the example PDF in one process."""
    times: list[float] = run_script(WARM, str(EXAMPLE), str(repeat), mode)  # type: ignore[assignment]
    return times[0], statistics.median(times[1:])


WARM_DOCX = r"""
import sys, time, json, statistics
from pathlib import Path
from pipeline.build.plan import make_plan
from pipeline.build.source import build_one
from pipeline.config.model import load_config
plan = make_plan(load_config(Path("config.yaml")), ("docx",))
times = []
for i in range(int(sys.argv[2]) + 1):
    start = time.perf_counter()
    result = build_one(sys.argv[1], plan)
    assert result.error is None, result.error
    times.append(time.perf_counter() - start)
print(json.dumps(statistics.median(times[1:])))
"""


def warm_docx(repeat: int) -> float:
    """Median DOCX-only build of the example in a process that built it once
    already, as `pipeline watch` rebuilds it (read, structure, forked render)."""
    return float(run_script(WARM_DOCX, str(EXAMPLE), str(repeat)))  # type: ignore[arg-type]


def default_variant() -> str:
    """The PDF variant our default build asks WeasyPrint for (config.yaml)."""
    sys.path.insert(0, str(ROOT))
    from pipeline.config.model import load_config
    from pipeline.render.pdfjob import WEASYPRINT_VARIANTS

    weasy_variant, _ = WEASYPRINT_VARIANTS[load_config(ROOT / "config.yaml").pdf.variant]
    return weasy_variant or ""


WORDS = (
    "analyse budget conseil région accord commerce énergie transport santé école réforme "
    "marché emploi climat sécurité frontière industrie recherche logement culture sport"
).split()
EN_WORDS = (
    "council budget region trade energy transport health school reform market jobs climate "
    "security border industry research housing culture sport agreement policy"
).split()


def sentence(rng: random.Random, words: list[str]) -> str:
    picked = rng.choices(words, k=rng.randint(8, 18))
    return " ".join(picked).capitalize() + "."


def generate_batch(folder: Path, count: int) -> None:
    """Deterministic, varied articles: French and English, with and without
    headings, questions, pros/cons sections and a sources line."""
    rng = random.Random(1234)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        english = index % 2 == 1
        words = EN_WORDS if english else WORDS
        lines = [" ".join(sentence(rng, words) for _ in range(4)) for _ in range(rng.randint(1, 3))]
        lines.append(f"{'Report' if english else 'Rapport'} {index} {rng.choice(words)}")
        for part in range(rng.randint(1, 4)):
            if part % 2:
                lines.append(f"{'What about' if english else 'Quoi de'} {rng.choice(words)} ?")
            else:
                lines.append(rng.choice(words).capitalize() + f" {part}")
            lines.extend(
                " ".join(sentence(rng, words) for _ in range(rng.randint(2, 6)))
                for _ in range(rng.randint(1, 3))
            )
        if index % 3 == 0:
            lines.append("Pros and cons" if english else "Avantages et inconvénients")
            lines.append(" ".join(sentence(rng, words) for _ in range(3)))
            lines.append(
                ("On the other hand, " if english else "En revanche, ") + sentence(rng, words)
            )
        lines.append("Conclusion")
        lines.append(" ".join(sentence(rng, words) for _ in range(3)))
        if index % 2 == 0:
            lines.append(
                "For more, visit Reuters or AFP."
                if english
                else "Pour en savoir plus, consultez Le Monde ou AFP."
            )
        (folder / f"article-{index:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def batch_build(batch: Path, out: Path, jobs: int) -> list[str]:
    return [
        PY,
        "-m",
        "pipeline",
        "build",
        str(batch),
        "-f",
        "pdf,docx",
        "-o",
        str(out),
        "-j",
        str(jobs),
    ]


def supports(option: str) -> bool:
    done = subprocess.run(
        [PY, "-m", "pipeline", "build", "--help"], cwd=ROOT, env=ENV, capture_output=True, text=True
    )
    return option in done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--batch", type=int, default=50, help="articles in the batch")
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "bench" / "results.json",
        help="where to write the figures (default: bench/results.json)",
    )
    parser.add_argument(
        "--batch-repeat", type=int, default=None, help="runs per batch figure (default: --repeat)"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="only the two cold-build ratios, once each (a few seconds; what the tests run)",
    )
    args = parser.parse_args()
    repeat = 1 if args.smoke else max(args.repeat, 1)
    batch_repeat = max(args.batch_repeat or repeat, 1)
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "repeat": repeat,
        "batch_repeat": batch_repeat,
        "load_average_at_start": os.getloadavg()[0],
    }
    rows: list[tuple[str, str, str, str]] = []

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "out"
        compile_bytecode()
        spec = prepare_baseline(work)
        build = [PY, "-m", "pipeline", "build", str(EXAMPLE), "-o", str(out), "--force"]

        baseline = [PY, str(work / "baseline.py"), str(spec)]
        variant = default_variant()
        tagged = json.dumps({"pdf_tags": True, **({"pdf_variant": variant} if variant else {})})
        # Timed without the memory sampler (a thread of this process that
        # would compete with the build for the CPU); memory has its own runs.
        cold, base = median_pair(repeat, [*build, "-f", "pdf,docx"], [*baseline, tagged])
        results.update(cold_build_s=cold, baseline_s=base, baseline_options=json.loads(tagged))
        rows.append(
            (
                "cold PDF+DOCX build / raw baseline",
                f"{cold:.3f}s / {base:.3f}s",
                f"{cold / base:.2f}x",
                "<= 1.10x",
            )
        )
        if args.smoke:
            docx_rows(1, build, results, rows, "(smoke)")
            return report(rows, results, args.output)
        untagged, plain = median_pair(
            repeat, [*build, "-f", "pdf,docx", "--pdf-variant", "none"], [*baseline, "{}"]
        )
        results.update(cold_build_untagged_s=untagged, baseline_untagged_s=plain)
        rows.append(
            (
                "  untagged: --pdf-variant none / plain",
                f"{untagged:.3f}s / {plain:.3f}s",
                f"{untagged / plain:.2f}x",
                "<= 1.10x",
            )
        )
        _, cold_rss, _, cold_tree, _ = run_child([*build, "-f", "pdf,docx"], sample=True)
        _, base_rss, _, _, _ = run_child([*baseline, tagged])
        results.update(
            cold_rss_mb=cold_rss, cold_tree_pss_mb=round(cold_tree, 1), baseline_rss_mb=base_rss
        )

        docx_cold, docx_floor = docx_rows(repeat, build, results, rows, "<= 2.00x")
        _, docx_rss, _, _, _ = run_child([*build, "-f", "docx"])
        results["docx_rss_mb"] = docx_rss
        docx_warm = warm_docx(repeat)
        results["warm_docx_build_s"] = docx_warm
        pandoc = shutil.which("pandoc")
        if pandoc:
            markdown = work / "example.md"
            markdown.write_text(
                EXAMPLE.read_text(encoding="utf-8").replace("\n", "\n\n"), encoding="utf-8"
            )
            pan, _, _, _ = median_of(repeat, [pandoc, str(markdown), "-o", str(work / "p.docx")])
            results["pandoc_docx_s"] = pan
            rows.append(
                (
                    "cold DOCX-only build / pandoc",
                    f"{docx_cold:.3f}s / {pan:.3f}s",
                    f"{docx_cold / pan:.2f}x",
                    "<= 2.00x",
                )
            )
            rows.append(
                (
                    "  floor: `python -c 'import docx'` / pandoc",
                    f"{docx_floor:.3f}s / {pan:.3f}s",
                    f"{docx_floor / pan:.2f}x",
                    "(information)",
                )
            )
            rows.append(
                (
                    "  warm DOCX-only build (watch) / pandoc",
                    f"{docx_warm:.3f}s / {pan:.3f}s",
                    f"{docx_warm / pan:.2f}x",
                    "(information)",
                )
            )
        else:
            rows.append(
                (
                    "cold DOCX-only build / pandoc",
                    f"{docx_cold:.3f}s / -",
                    "skipped",
                    "pandoc not installed",
                )
            )
        bare, _, _, _ = median_of(repeat, [PY, "-c", "pass"])
        results["python_startup_s"] = bare
        rows.append(("  bare `python -c pass` (floor)", f"{bare:.3f}s", "", "(information)"))

        first, warm = warm_render(repeat, "inprocess")
        results.update(first_render_s=first, warm_render_s=warm)
        rows.append(
            (
                "warm per-brief PDF / first, in process",
                f"{warm:.3f}s / {first:.3f}s",
                f"{warm / first:.2f}x",
                "<= 0.60x",
            )
        )
        first_iso, warm_iso = warm_render(repeat, "isolated")
        results.update(first_build_one_s=first_iso, warm_build_one_s=warm_iso)
        rows.append(
            (
                "warm per-brief / first, forked (build, watch)",
                f"{warm_iso:.3f}s / {first_iso:.3f}s",
                f"{warm_iso / first_iso:.2f}x",
                "<= 0.60x",
            )
        )

        if supports("--jobs"):
            batch = work / "batch"
            generate_batch(batch, args.batch)
            timings: dict[int, float] = {}
            for jobs in (1, 2):
                argv = [*batch_build(batch, work / f"batch-out-{jobs}", jobs), "--force"]
                # Timed without the memory sampler: reading /proc/*/smaps_rollup
                # of every process every 20 ms takes CPU the batch would use.
                seconds, _, _, cores = median_of(batch_repeat, argv)
                _, rss, _, tree, _ = run_child(argv, sample=True)
                timings[jobs] = seconds
                results[f"batch_j{jobs}_s"] = seconds
                results[f"batch_j{jobs}_rss_mb"] = rss
                results[f"batch_j{jobs}_tree_pss_mb"] = round(tree, 1)
                results[f"batch_j{jobs}_cores_busy"] = round(cores, 2)
            rows.append(
                (
                    f"batch of {args.batch}: -j 1 / -j 2",
                    f"{timings[1]:.2f}s / {timings[2]:.2f}s",
                    f"{timings[1] / timings[2]:.2f}x faster",
                    ">= 1.80x",
                )
            )
            rows.append(
                (
                    "  cores kept busy: -j 1 / -j 2",
                    f"{results['batch_j1_cores_busy']} / {results['batch_j2_cores_busy']}",
                    f"of {os.cpu_count()}",
                    "(CPU s / wall s)",
                )
            )
            noop, _, _, _ = median_of(repeat, batch_build(batch, work / "batch-out-2", 2))
            results["noop_rebuild_s"] = noop
            rows.append((f"no-op rebuild of {args.batch}", f"{noop:.3f}s", "", "<= 0.30s"))
            rows.append(
                (
                    "peak memory, batch -j 2",
                    f"{results['batch_j2_rss_mb']} MB",
                    f"tree {results['batch_j2_tree_pss_mb']} MB",
                    "(largest process / all, PSS)",
                )
            )
        else:
            rows.append(
                ("batch -j 1 / -j 2, no-op rebuild", "-", "skipped", "build has no --jobs yet")
            )

        rows.append(
            (
                "peak RSS, one PDF+DOCX build",
                f"{cold_rss} MB",
                f"tree {cold_tree:.0f} MB",
                "<= 250 MB",
            )
        )
    return report(rows, results, args.output)


def docx_rows(
    repeat: int,
    build: list[str],
    results: dict[str, object],
    rows: list[tuple[str, str, str, str]],
    target: str,
) -> tuple[float, float]:
    """Cold DOCX-only build against `python -c "import docx"`, run in turn:
    the wall-clock ratio (the target) and the CPU ratio beside it; returns
    the two wall-clock medians."""
    (cold, cold_cpu), (floor, floor_cpu) = paired(
        repeat, [*build, "-f", "docx"], [PY, "-c", "import docx"]
    )
    results.update(
        docx_cold_s=cold,
        python_docx_import_s=floor,
        docx_cold_cpu_s=cold_cpu,
        python_docx_import_cpu_s=floor_cpu,
    )
    rows.append(
        (
            "cold DOCX-only build / `import docx` floor",
            f"{cold:.3f}s / {floor:.3f}s",
            f"{cold / floor:.2f}x",
            target,
        )
    )
    rows.append(
        (
            "  the same in CPU seconds (all processes)",
            f"{cold_cpu:.3f}s / {floor_cpu:.3f}s",
            f"{cold_cpu / floor_cpu:.2f}x",
            "(information)",
        )
    )
    return cold, floor


def report(rows: list[tuple[str, str, str, str]], results: dict[str, object], output: Path) -> int:
    """Print the table of ratios and write the figures as JSON."""
    results["load_average_at_end"] = os.getloadavg()[0]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'figures':>24}  {'ratio':>14}  target")
    for name, figures, ratio, target in rows:
        print(f"{name.ljust(width)}  {figures:>24}  {ratio:>14}  {target}")
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(
        f"\nmachine: {results['machine']}, {results['cpu']}; load average "
        f"{results['load_average_at_start']:.2f} -> {results['load_average_at_end']:.2f} "
        f"(other work on the machine skews the figures); wrote {output}"
    )
    return 0


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    raise SystemExit(main())
