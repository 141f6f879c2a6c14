#!/usr/bin/env python3
"""A real SMTP server for the email suite (aiosmtpd, Debian's
python3-aiosmtpd): every accepted message is written to OUT_DIR as one .eml
file (envelope recipients in an X-Sink-Rcpt header line first) before the
250 goes back, so a file exists for every message the server accepted.

Usage: smtp_sink.py OUT_DIR PORT   (runs until killed)
"""
import os
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller

OUT, PORT = sys.argv[1], int(sys.argv[2])
os.makedirs(OUT, exist_ok=True)
lock = threading.Lock()
counter = [0]


class Sink:
    # A mailbox that does not exist: recipients named bounce-... get the
    # permanent 550 a real server gives, so tests can make a dead letter.
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("bounce-"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with lock:
            counter[0] += 1
            n = counter[0]
        name = os.path.join(OUT, "%d-%06d-%d.eml" % (os.getpid(), n, time.time_ns()))
        data = ("X-Sink-Rcpt: %s\r\n" % ",".join(envelope.rcpt_tos)).encode() + envelope.original_content
        with open(name + ".tmp", "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(name + ".tmp", name)
        return "250 OK queued as %d" % n


controller = Controller(Sink(), hostname="127.0.0.1", port=PORT)
controller.start()
print("listening", PORT, flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
signal.signal(signal.SIGINT, lambda *a: stop.set())
stop.wait()
controller.stop()
