"""Notes API behind Desklit's guard (protect = "bearer" in desklit.toml): no token check here.
Desklit answers 401/403 itself and forwards only requests with a valid access token (and the
scope a path needs), with the caller in X-Desklit-Sub / X-Desklit-Email / X-Desklit-Scopes; it
removes any such header a client sends, and the service listens on 127.0.0.1 only, on the
private port Desklit gives it.
"""

import argparse

import uvicorn
from fastapi import FastAPI, Header

app = FastAPI()


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.get("/api/public")
def public():
    return {"message": "Hello from a public endpoint! You don't need to be authenticated to see this."}


@app.get("/api/private")
def private(x_desklit_sub: str = Header(), x_desklit_scopes: str = Header("")):
    return {"message": "Hello from a private endpoint! You need to be authenticated to see this.",
            "sub": x_desklit_sub, "scopes": x_desklit_scopes.split()}


@app.get("/api/private-scoped")
def private_scoped(x_desklit_sub: str = Header()):
    return {"message": "Hello from a private endpoint! You need to be authenticated and have a scope of read:messages to see this.",
            "sub": x_desklit_sub}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    uvicorn.run(app, host="127.0.0.1", port=parser.parse_args().port, log_level="info")
