#!/usr/bin/env python3
"""A one-file HTTP receiver for the notify tests: answers every POST with 200 (404
under /gone/) and appends it as a JSON line (method, path, headers, body) to LOG.

    http_receiver.py PORT LOG     # listens on 127.0.0.1:PORT only
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        record = {"method": "POST", "path": self.path, "headers": dict(self.headers.items()), "body": body}
        with open(sys.argv[2], "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        # a path under /gone/ answers 404, as a wrong ntfy topic URL or webhook would
        self.send_response(404 if self.path.startswith("/gone/") else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_GET(self):
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


ThreadingHTTPServer.allow_reuse_address = True
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
