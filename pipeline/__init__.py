"""pipeline: articles in, printable briefs (PDF and DOCX) out.

Stages, one module each, data flowing one way:
ingest (file -> Document) -> structure (Document -> Brief) ->
render (Brief -> Artifact bytes) -> output (Artifacts -> files).
"""

__version__ = "0.1.0"
