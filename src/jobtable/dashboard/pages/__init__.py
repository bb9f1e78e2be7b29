"""One module per dashboard section; each exports `routes` (paths relative to /ui)."""
