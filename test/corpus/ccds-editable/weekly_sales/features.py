"""Features of the weekly sales: the data set and a moving average."""

import pandas as pd


def weekly_sales(weeks: int = 12) -> pd.DataFrame:
    """Sales per week of two shops (deterministic, so that both runs draw the same)."""
    return pd.DataFrame(
        {
            "week": list(range(1, weeks + 1)),
            "north": [120 + 9 * w - (w % 4) * 5 for w in range(weeks)],
            "south": [95 + 6 * w + (w % 3) * 7 for w in range(weeks)],
        }
    )


def moving_average(df: pd.DataFrame, window: int = 3) -> pd.DataFrame:
    """The sales smoothed over `window` weeks."""
    out = df.set_index("week").rolling(window, min_periods=1).mean().round(1)
    return out.reset_index()
