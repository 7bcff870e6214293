"""moto's server, answering one request at a time: `python -m generator.runners.moto_serial -H HOST -p PORT`.

moto keeps each service's state in plain Python objects without locks, and its
server runs every request in a thread of its own. Terraform sends up to ten
requests at once, and two that touch the same VPC can interleave inside moto:
destroys of the ECS examples failed on a security group rule revoked as "not
found" and on a route table left behind after its delete had been answered,
which then held the VPC's delete (and the test) for fifteen minutes until stopped. Running the handlers
one at a time removes those races; moto answers in milliseconds, so the cost is
small beside the provider's own waits. Connections are still accepted
concurrently (a client never waits for a socket, only for its turn).
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from moto import server


def _serialised(application: type) -> type:
    lock = threading.Lock()

    class OneAtATime(application):
        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            with lock:
                return super().__call__(environ, start_response)

    return OneAtATime


def main(argv: list[str]) -> None:
    setattr(server, "DomainDispatcherApplication", _serialised(server.DomainDispatcherApplication))  # noqa: B010 - replaced before main() builds the app
    server.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
