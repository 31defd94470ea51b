"""A host page's token endpoint in Python: GET /signet-token answers the logged-in
customer's Signet token, signed with PyJWT. Run: SIGNET_KID=… SIGNET_SECRET=… python3 server.py
"""

import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt  # PyJWT (Debian: python3-jwt)

KID = os.environ.get("SIGNET_KID")
SECRET = os.environ.get("SIGNET_SECRET")
if not KID or not SECRET:
    sys.exit("Set SIGNET_KID and SIGNET_SECRET to a signing key from Signet (signet keys create).")
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "3000"))


def logged_in_customer():
    """In your app: the customer of the request's session, None when logged out.
    This example has one customer, always logged in."""
    return {"id": "customer-42", "name": "Ada Lovelace", "email": "ada@example.com"}


def signet_token(customer):
    now = int(time.time())
    claims = {
        "scope": "user",
        "external_id": str(customer["id"]),
        "name": customer["name"],
        "email": customer["email"],
        "email_verified": True,  # only when your backend has verified it
        "iat": now,
        "exp": now + 600,
    }
    # HS256, keyed by the secret string exactly as Signet showed it; the kid in the header.
    return jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": KID})


class TokenEndpoint(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/signet-token":
            self.send_error(404)
            return
        customer = logged_in_customer()
        if customer is None:
            self.send_error(401)
            return
        token = signet_token(customer).encode("ascii")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(token)))
        self.end_headers()
        self.wfile.write(token)

    def log_message(self, format, *args):
        pass  # keep tokens out of access logs


if __name__ == "__main__":
    server = ThreadingHTTPServer((HOST, PORT), TokenEndpoint)
    print(f"listening on http://{HOST}:{server.server_port}", flush=True)
    server.serve_forever()
