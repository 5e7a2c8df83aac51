"""Static PNG maps of a place or a layer, for print and link previews."""
