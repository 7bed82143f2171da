"""Notes API behind Desklit's guard (protect = "bearer" in desklit.toml): no token check here.
Desklit answers 401/403 itself and forwards only requests with a valid access token (and the
scope a path needs), with the caller in X-Desklit-Sub / X-Desklit-Email / X-Desklit-Scopes; it
removes any such header a client sends. The service listens on 127.0.0.1 only, on the private
port Desklit gives it; as any local program could call that port, it takes only requests that
carry the guard's secret (X-Desklit-Guard = DESKLIT_GUARD_SECRET), except Desklit's health check.
"""

import argparse
import hmac
import os

import uvicorn
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse

GUARD_SECRET = os.environ["DESKLIT_GUARD_SECRET"]

app = FastAPI()


@app.middleware("http")
async def through_desklit_only(request: Request, call_next):
    sent = request.headers.get("x-desklit-guard", "")
    if request.url.path != "/healthz" and not hmac.compare_digest(sent, GUARD_SECRET):
        return JSONResponse({"code": "not_through_desklit", "description": "Call this service through Desklit"}, status_code=403)
    return await call_next(request)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.get("/api/public")
def public():
    return {"message": "Hello from a public endpoint! You don't need to be authenticated to see this."}


@app.get("/api/private")
def private(x_desklit_sub: str = Header(), x_desklit_scopes: str = Header(""), x_desklit_email: str = Header("")):
    # X-Desklit-Email: the access token's email, when the issuer verified it (absent otherwise)
    return {"message": "Hello from a private endpoint! You need to be authenticated to see this.",
            "sub": x_desklit_sub, "email": x_desklit_email, "scopes": x_desklit_scopes.split()}


@app.get("/api/private-scoped")
def private_scoped(x_desklit_sub: str = Header()):
    return {"message": "Hello from a private endpoint! You need to be authenticated and have a scope of read:messages to see this.",
            "sub": x_desklit_sub}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    uvicorn.run(app, host="127.0.0.1", port=parser.parse_args().port, log_level="info")
