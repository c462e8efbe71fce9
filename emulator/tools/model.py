#!/usr/bin/env python3
"""Write sesbox's compact service models (dev-time tool behind `make model`).

Finds every botocore installed on this machine (any Python's site- or
dist-packages, pyenv versions), takes the one with
the highest version, and writes its `ses` 2010-12-01, `sesv2` 2019-09-27 and
`sns` 2010-03-31 service models to
emulator/models/<service>/<version>/service-2.json with all
documentation stripped. The files stay in botocore's own format so the test
driver can point boto3 and the AWS CLI at them with AWS_DATA_PATH, and the
build embeds them into bin/sesbox. Standard library only.
"""
import glob
import gzip
import json
import os
import re
import sys

SERVICES = (("ses", "2010-12-01"), ("sesv2", "2019-09-27"),
            ("sns", "2010-03-31"))
DROP_KEYS = {"documentation", "documentationUrl", "deprecatedMessage",
             "examples", "docs"}
SEARCH_GLOBS = (
    "/usr/lib/python3*/*-packages/botocore",
    "/usr/lib/python3/dist-packages/botocore",
    "/usr/local/lib/python3*/*-packages/botocore",
    os.path.expanduser("~/.pyenv/versions/*/lib/python3*/site-packages/botocore"),
    os.path.expanduser("~/.local/lib/python3*/site-packages/botocore"),
    "/opt/*/lib/python3*/site-packages/botocore",
)


def version_of(pkg):
    try:
        with open(os.path.join(pkg, "__init__.py"), encoding="utf-8") as f:
            m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", f.read())
    except OSError:
        return None
    if not m:
        return None
    return tuple(int(x) if x.isdigit() else 0 for x in m.group(1).split("."))


def load_model(pkg, service, version):
    base = os.path.join(pkg, "data", service, version, "service-2.json")
    if os.path.exists(base):
        with open(base, encoding="utf-8") as f:
            return json.load(f)
    if os.path.exists(base + ".gz"):
        with gzip.open(base + ".gz", "rt", encoding="utf-8") as f:
            return json.load(f)
    return None


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP_KEYS}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "emulator/models"
    found = []
    for pattern in SEARCH_GLOBS:
        for pkg in glob.glob(pattern):
            v = version_of(pkg)
            if v and all(load_model(pkg, s, ver) for s, ver in SERVICES):
                found.append((v, pkg))
    if not found:
        sys.exit("model.py: no botocore with ses, sesv2 and sns models found")
    found.sort(reverse=True)
    version, pkg = found[0]
    print("model.py: using botocore %s at %s" %
          (".".join(map(str, version)), pkg))
    for service, ver in SERVICES:
        model = strip(load_model(pkg, service, ver))
        model["metadata"]["sesboxBotocoreVersion"] = ".".join(map(str, version))
        dest = os.path.join(out_dir, service, ver)
        os.makedirs(dest, exist_ok=True)
        path = os.path.join(dest, "service-2.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(model, f, separators=(",", ":"))
            f.write("\n")
        print("model.py: wrote %s (%d operations, %d shapes)" %
              (path, len(model["operations"]), len(model["shapes"])))


if __name__ == "__main__":
    main()
