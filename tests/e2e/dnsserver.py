"""A tiny authoritative DNS server on 127.0.0.1 for the dns verification
mode's and the mx delivery's tests: TXT, CNAME, MX, A and AAAA records from a dict the test edits, over
UDP, in a background thread. Standard library only."""
import socket
import struct
import threading

TYPES = {"TXT": 16, "CNAME": 5, "MX": 15, "A": 1, "AAAA": 28}


def _name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def _parse_question(packet):
    labels, i = [], 12
    while packet[i]:
        n = packet[i]
        labels.append(packet[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    qtype, qclass = struct.unpack("!HH", packet[i + 1:i + 5])
    return ".".join(labels).lower(), qtype, packet[12:i + 5]


class DnsServer:
    """records: {(name, "TXT"|"CNAME"|"MX"|"A"|"AAAA"): [value, ...]}; MX
    values are "PREF HOST", A and AAAA values addresses. Names without any record answer NXDOMAIN."""

    def __init__(self):
        self.records = {}
        self.queries = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def add(self, name, rtype, value):
        self.records.setdefault((name.lower().rstrip("."), rtype),
                                []).append(value)

    def close(self):
        self.sock.close()

    def _rdata(self, rtype, value):
        if rtype == "TXT":
            data = value.encode()
            return b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255]
                            for i in range(0, max(len(data), 1), 255))
        if rtype == "CNAME":
            return _name(value)
        if rtype == "A":
            return socket.inet_pton(socket.AF_INET, value)
        if rtype == "AAAA":
            return socket.inet_pton(socket.AF_INET6, value)
        pref, host = value.split()
        return struct.pack("!H", int(pref)) + _name(host)

    def _serve(self):
        while True:
            try:
                packet, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            qid = packet[:2]
            name, qtype, question = _parse_question(packet)
            self.queries.append((name, qtype))
            answers = []
            for rtype, code in TYPES.items():
                if code == qtype:
                    answers = self.records.get((name, rtype), [])
            known = any(n == name for n, _ in self.records)
            rcode = 0 if answers or known else 3   # NXDOMAIN
            header = qid + struct.pack("!HHHHH", 0x8580 | rcode, 1,
                                       len(answers), 0, 0)
            body = question
            for value in answers:
                rdata = self._rdata([t for t, c in TYPES.items()
                                     if c == qtype][0], value)
                body += (b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60,
                                                   len(rdata)) + rdata)
            try:
                self.sock.sendto(header + body, peer)
            except OSError:
                return
