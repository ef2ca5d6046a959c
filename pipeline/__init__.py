"""pipeline: articles in, printable briefs (PDF and DOCX) out.

Stages, one folder each, data flowing one way (docs/architecture.md):
config/ (config.yaml -> Config) and build/plan.py (Config -> BuildPlan);
read/ (file -> Document) -> understand/ (Document -> Brief) ->
render/ (Brief -> Artifact bytes) -> build/ (Artifacts -> files, manifest) -> deliver/ (e-mail).
"""

__version__ = "0.1.0"
