"""Build the sentiment example's Lambda zip, byte-for-byte reproducible.

    python examples/sentiment-lambda/build.py modules/sentiment-lambda/aws-lambda/build/sentiment.zip

Fixed timestamps and permissions and a sorted file list make the same sources give
the same zip, so Terraform's source_code_hash changes only when the code does.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parent
FILES = ("app.py",)  # what the function needs; the handler is app.handler
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def build(output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(FILES):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            info.create_system = 3  # Unix, so the mode above is honoured
            archive.writestr(info, (SOURCE / name).read_bytes())
    partial.replace(output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the sentiment Lambda zip deterministically.")
    parser.add_argument("output", type=Path, help="path of the zip to write, e.g. .../aws-lambda/build/sentiment.zip")
    args = parser.parse_args(argv)
    print(build(args.output), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
