"""`python -m geo curate`: serve the editor on loopback, and only elsewhere when asked to.

The editor writes to the gazetteer and runs builds: anyone who can reach it can change the data.
So it binds to 127.0.0.1 by default, and a non-loopback address is refused unless the curator
passes `--allow-remote`, which prints a warning. Werkzeug's threaded server is enough for one
curator's browser (saves are serialised in the editor); the public map keeps gunicorn.
"""
from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path


def is_loopback(host: str) -> bool:
    """True when every address the host name resolves to is a loopback address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)


def serve(host: str, port: int, allow_remote: bool, gazetteer: Path, seeds: Path, layers: Path) -> int:
    """Run the editor until interrupted; 2 with a message when the bind is refused."""
    if not is_loopback(host):
        if not allow_remote:
            print(f"error: refusing to serve the curation editor on {host}: it writes to the gazetteer, so it "
                  "listens on loopback only (127.0.0.1). Pass --allow-remote to expose it anyway.",
                  file=sys.stderr)
            return 2
        print(f"WARNING: the curation editor is reachable on {host}:{port}; anyone who can reach it can "
              "change the gazetteer. Stop it when you are done. Other machines must use a host name listed in "
              "JINAN_ZONES_TRUSTED_HOSTS (e.g. '[\"192.0.2.10\"]').", file=sys.stderr)
    from werkzeug.serving import make_server

    from webmap.curate import create_app

    config = {"GAZETTEER_DIR": str(gazetteer), "SEEDS_DIR": str(seeds), "LAYERS_DIR": str(layers)}
    app = create_app(config)
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port} ({exc.strerror or exc})", file=sys.stderr)
        return 2
    print(f"Jinan Zones curation editor on http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/ "
          "(Ctrl-C stops it)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
