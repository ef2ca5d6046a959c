"""Brief -> DOCX bytes, in layers as python-docx is: `compose` (render_docx)
lays out the Brief with python-docx objects; `styles` turns the layout and
the theme into Word styles; `fonts` embeds font files; `package` writes the
reproducible zip; `ooxml` builds the XML python-docx has no API for.
"""
