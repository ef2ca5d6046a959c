"""Brief -> JSON bytes (the model's own serialisation)."""

from __future__ import annotations

from pipeline.brief import Brief
from pipeline.render import Artifact
from pipeline.render.theme import Theme


def render_json(brief: Brief, theme: Theme) -> Artifact:
    return Artifact("json", brief.to_json().encode("utf-8"))
