"""Reading: a source (file, later a URL) -> a `Document` of raw blocks and metadata."""
