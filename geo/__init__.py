"""Jinan Zones: development zones in Jinan's district news → geocoded layers with citations.

The analyst's API (`read_layer`, `read_places`, `read_citations`, `list_layers`) is loaded on
first use, so the command line does not pay for importing geopandas.
"""
_API = ("read_layer", "read_places", "read_citations", "list_layers")
__all__ = list(_API)


def __getattr__(name: str):
    if name in _API:
        from geo import api

        return getattr(api, name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")
