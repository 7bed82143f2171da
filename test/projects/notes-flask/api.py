"""Notes API: a Flask service that checks access tokens itself, as Auth0's Python API quick start
does: PyJWT verifies the signature with the issuer's published keys (JWKS), the issuer, the
audience and the expiry, all read from the environment Desklit gives every service
(AUTH0_ISSUER_BASE_URL or AUTH0_DOMAIN, API_AUDIENCE or AUTH0_AUDIENCE). The same code checks
the tokens of Desklit's offline dev sign-in and of a real Auth0 tenant.
"""

import json
import os
import urllib.request
from functools import wraps

import jwt
from flask import Flask, g, jsonify, request

ISSUER = os.environ.get("AUTH0_ISSUER_BASE_URL") or f"https://{os.environ['AUTH0_DOMAIN']}/"
AUDIENCE = os.environ.get("API_AUDIENCE") or os.environ["AUTH0_AUDIENCE"]

app = Flask(__name__)
_jwks = None


class AuthError(Exception):
    def __init__(self, code, description, status):
        super().__init__(description)
        self.error = {"code": code, "description": description}
        self.status = status


@app.errorhandler(AuthError)
def handle_auth_error(ex):
    response = jsonify(ex.error)
    response.status_code = ex.status
    if ex.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="notes-api"'
    return response


def jwks_client():
    """The issuer's keys, found through OpenID Connect discovery (Auth0 serves them at
    /.well-known/jwks.json; discovery names the place for any issuer)."""
    global _jwks
    if _jwks is None:
        url = ISSUER.rstrip("/") + "/.well-known/openid-configuration"
        with urllib.request.urlopen(url, timeout=10) as resp:
            _jwks = jwt.PyJWKClient(json.load(resp)["jwks_uri"], cache_keys=True)
    return _jwks


def get_token_auth_header():
    auth = request.headers.get("Authorization", None)
    if not auth:
        raise AuthError("authorization_header_missing", "Authorization header is expected", 401)
    parts = auth.split()
    if parts[0].lower() != "bearer":
        raise AuthError("invalid_header", "Authorization header must start with Bearer", 401)
    if len(parts) != 2:
        raise AuthError("invalid_header", "Authorization header must be Bearer token", 401)
    return parts[1]


def requires_auth(f):
    @wraps(f)
    def decorated(*args, **kwargs):
        token = get_token_auth_header()
        try:
            key = jwks_client().get_signing_key_from_jwt(token).key
            g.claims = jwt.decode(token, key, algorithms=["RS256"], audience=AUDIENCE,
                                  issuer=ISSUER, options={"require": ["exp", "iss", "aud"]})
        except jwt.ExpiredSignatureError:
            raise AuthError("token_expired", "Token is expired", 401)
        except (jwt.InvalidAudienceError, jwt.InvalidIssuerError):
            raise AuthError("invalid_claims", "Incorrect claims, please check the audience and issuer", 401)
        except jwt.PyJWTError:
            raise AuthError("invalid_header", "Unable to parse authentication token", 401)
        return f(*args, **kwargs)
    return decorated


def requires_scope(scope):
    granted = set(g.claims.get("scope", "").split()) | set(g.claims.get("permissions", []))
    if scope not in granted:
        raise AuthError("insufficient_scope", f"The token lacks the scope {scope}", 403)


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.get("/api/public")
def public():
    return jsonify(message="Hello from a public endpoint! You don't need to be authenticated to see this.")


@app.get("/api/private")
@requires_auth
def private():
    return jsonify(message="Hello from a private endpoint! You need to be authenticated to see this.",
                   sub=g.claims["sub"])


@app.get("/api/private-scoped")
@requires_auth
def private_scoped():
    requires_scope("read:messages")
    return jsonify(message="Hello from a private endpoint! You need to be authenticated and have a scope of read:messages to see this.",
                   sub=g.claims["sub"])


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ["PORT"]))
