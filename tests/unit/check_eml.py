#!/usr/bin/python3
"""Checks that .eml files are standard messages for Python's email package:
parsed with the strict default policy, no defects in any part, every text
part decodable. Usage: check_eml.py FILE... (exit 1 on the first problem)."""
import email
import email.policy
import sys

bad = 0
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
    problems = []
    for part in msg.walk():
        problems += [repr(d) for d in part.defects]
        if part.get_content_maintype() == 'text':
            part.get_content()
        elif not part.is_multipart():
            part.get_payload(decode=True)
    for name in ('From', 'To', 'Cc', 'Reply-To', 'Subject'):
        if name in msg:
            str(msg[name])  # header parsing (addresses, encoded-words)
            problems += [repr(d) for d in msg[name].defects]
    if problems:
        print(f'{path}: {"; ".join(problems)}')
        bad = 1
sys.exit(bad)
