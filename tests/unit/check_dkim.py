#!/usr/bin/python3
"""Verifies the first DKIM-Signature of a message with dkimpy (Debian
python3-dkim), the key coming from a file holding the DNS TXT record's value
instead of from DNS. Usage: check_dkim.py MESSAGE RECORD NAME, where NAME is
the query dkimpy must make ("sel._domainkey.example.com.").
Exit status: 0 the signature verifies; 3 it does not (dkimpy's reasons on
stderr); anything else (a usage error, a missing module) is a broken test."""
import logging
import sys

import dkim

if len(sys.argv) != 4:
    sys.exit(__doc__)
msg_path, rec_path, want = sys.argv[1:]
with open(msg_path, 'rb') as f:
    message = f.read()
with open(rec_path, 'rb') as f:
    record = f.read().strip()

asked = []


def dnsfunc(name, timeout=5):
    asked.append(name)
    return record if name == want.encode() else None


class Keep(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, rec):
        self.lines.append(self.format(rec))


keep = Keep()
log = logging.getLogger('check_dkim')
log.setLevel(logging.DEBUG)
log.addHandler(keep)
try:
    ok = dkim.verify(message, logger=log, dnsfunc=dnsfunc)
except dkim.DKIMException as e:
    ok = False
    keep.lines.append(f'exception: {e}')
if not ok:
    print(f'{msg_path}: DKIM signature does not verify; queried {asked}',
          file=sys.stderr)
    for line in keep.lines:
        print(f'  {line}', file=sys.stderr)
    sys.exit(3)
