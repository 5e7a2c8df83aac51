"""text + gazetteer → places GeoDataFrame → layers/ (GeoJSON, exports, catalog), atomically.

`places` assembles the data model, `layers` cuts it into layers as `layers.yml` says, `validate`
checks it, `io` reads and writes layers/, `exports` writes the download formats, `pipeline`
runs it all (staleness, atomic swap) and `check` validates a committed build.
"""
from geo.build.pipeline import BuildError, build, is_stale

__all__ = ["BuildError", "build", "is_stale"]
