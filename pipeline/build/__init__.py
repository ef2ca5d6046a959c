"""Building: sources + config -> artifacts written atomically to the output folder."""
