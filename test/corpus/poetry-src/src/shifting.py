"""Load shifting: move a share of each hour's consumption to the cheapest hour within a window."""

import numpy as np
import pandas as pd


def read_prices(path: str = "src/data/prices.csv") -> pd.DataFrame:
    # Relative to the repository's root, where the app is started from.
    return pd.read_csv(path, parse_dates=["hour"])


def shift(prices: pd.DataFrame, base_kw: float, share: float, window: int) -> pd.DataFrame:
    out = prices.copy()
    out["load"] = base_kw
    movable = base_kw * share
    cheapest = prices["dkk_per_mwh"].rolling(window, min_periods=1).apply(np.argmin, raw=True).astype(int)
    shifted = np.full(len(out), base_kw - movable)
    for i, back in enumerate(cheapest):
        target = max(0, i - (min(window, i + 1) - 1) + back)
        shifted[target] += movable
    out["shifted"] = shifted
    out["cost"] = out["load"] * out["dkk_per_mwh"] / 1000
    out["cost_shifted"] = out["shifted"] * out["dkk_per_mwh"] / 1000
    return out
