"""Understanding: a `Document` -> a typed `Brief` (structure, key points, language)."""
