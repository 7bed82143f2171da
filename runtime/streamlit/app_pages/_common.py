"""Helpers the demo pages share: call the API and show the answer or a clear error."""

from __future__ import annotations

import requests
import streamlit as st

import desklit_auth as auth


def show_call(path: str, *, secure: bool) -> auth.ApiResult | None:
    """GET ``path`` on the protected API (with the token when ``secure``) and show the result.

    Returns the result, or None when the call could not be made (the reason is shown).
    """
    base = auth.api_url()
    st.caption(f"`GET {base}{path}`" + (" with `Authorization: Bearer …`" if secure else ""))
    try:
        if secure:
            resp = auth.requests().get(path)
        else:
            resp = requests.get(base + path, timeout=10)
    except auth.SignInRequired as e:
        auth.require_sign_in()
        st.warning(f"🔑 {e} Use **Log in** at the top of the page.")
        return None
    except (auth.ApiUnreachable, requests.ConnectionError, requests.Timeout):
        st.error(f"The protected API is not reachable at {base}. Is Desklit running? "
                 "Check `desklit status`.")
        return None
    result = auth.result_of(resp)
    if result.ok:
        st.success(f"{result.status} OK")
        body = result.body
        if isinstance(body, dict) and isinstance(body.get("data"), str):
            st.markdown(f"### {body['data']}")
        st.json(body, expanded=True)
    return result
