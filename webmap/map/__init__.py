"""The map (`/`) and one page per place; `maps` builds the maps the embeds share."""
