import hashlib
import io

import streamlit as st

st.title("Upload")
st.write("Upload a file to check that uploads work where the app is shown.")

PREVIEW_LINES = 20
TEXT_TYPES = {"csv", "tsv", "txt", "md", "json", "py", "log", "yaml", "yml", "toml", "xml"}
IMAGE_TYPES = {"png", "jpg", "jpeg", "gif", "webp"}


def human(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


f = st.file_uploader("Choose a file")
if f is not None:
    data = f.getvalue()
    receipt = f"upload received: {f.name!r}, {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}"
    if st.session_state.get("upload.receipt") != receipt:
        # One line in Streamlit's log (Logs → streamlit) per new file: what arrived, never its content.
        st.session_state["upload.receipt"] = receipt
        print(receipt, flush=True)
    ext = f.name.rsplit(".", 1)[-1].lower() if "." in f.name else ""
    st.success(f"Uploaded **{f.name}** — {human(len(data))} ({len(data)} bytes)")
    st.caption(f"Type: {f.type or 'unknown'}")
    if ext in IMAGE_TYPES:
        st.image(data, caption=f.name)
    elif ext in ("csv", "tsv"):
        try:
            import pandas as pd

            df = pd.read_csv(io.BytesIO(data), sep="\t" if ext == "tsv" else ",",
                             nrows=PREVIEW_LINES)
            st.dataframe(df)
        except Exception:  # noqa: BLE001 - fall back to the raw lines
            st.code("\n".join(data.decode("utf-8", "replace").splitlines()[:PREVIEW_LINES]))
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None or ext in TEXT_TYPES:
            text = text if text is not None else data.decode("utf-8", "replace")
            lines = text.splitlines()
            st.write(f"First {min(PREVIEW_LINES, len(lines))} of {len(lines)} lines:")
            st.code("\n".join(lines[:PREVIEW_LINES]), language=None)
        else:
            st.write("Binary file; first 64 bytes:")
            st.code(data[:64].hex(" "), language=None)
