"""Forecasting one series (docs/insights.md): the model, its prediction intervals and its
rolling-origin back-test, on plain numbers. ``graph/insights/forecast.py`` builds a KPI's
series from the view and dates the points.

* **Season.** For each season length the grain allows (``SEASONS``) with at least three whole
  seasons of history, statsmodels' STL splits off a seasonal component; the strongest one is
  kept when its strength, 1 - var(remainder) ÷ var(seasonal + remainder), is at least
  ``MIN_STRENGTH`` (white noise scores about 0.4). Its forecast repeats the last season.
* **Model.** ETS with additive errors and a damped additive trend (statsmodels' ``ETSModel``,
  fitted by maximum likelihood) on the series less its season, with its analytic prediction
  intervals. With fewer than ``MIN_ETS`` points: the seasonal naive forecast (the value one
  season back, or the last value), its intervals from the spread of its own past errors.
* **Back-test.** From several origins in the series' past, the same model (its parameters as
  fitted on the whole series, its season re-estimated from the data before the origin) forecasts
  the points that followed; MAE is the mean absolute error of those forecasts, MASE the MAE ÷
  the in-sample MAE of the seasonal naive one-step forecast (below 1: better than repeating
  the last season).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from enum import Enum

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.seasonal import STL
from threadpoolctl import ThreadpoolController

from graph.insights.common import Floats, Reason

#: the fewest points any forecast is made from, and the fewest an ETS model is fitted to
MIN_HISTORY = 8
MIN_ETS = 16
MIN_STRENGTH = 0.6
#: back-test origins
ORIGINS = 6
#: a BLAS thread pool on a busy machine makes a fit of a hundred points 5x slower
_BLAS = ThreadpoolController()


class Model(Enum):
    """The model a forecast comes from."""

    ETS = "ETS"
    STL_ETS = "STL_ETS"
    SEASONAL_NAIVE = "SEASONAL_NAIVE"
    NAIVE = "NAIVE"


@dataclass(frozen=True)
class Fitted:
    """A series' forecast: means and bounds per step ahead, and the back-test."""

    model: Model | None
    season: int | None
    mean: Floats
    low: Floats
    high: Floats
    #: back-test: mean absolute error, the same scaled (MASE), and the forecasts it is over
    mae: float | None
    mase: float | None
    backtest_points: int
    reason: Reason | None
    #: how much the model's intervals were widened so that they would have covered their
    #: nominal share of the back-test's forecasts (1: not at all)
    widened: float = 1.0


def _strength(y: Floats, seasonal: Floats, resid: Floats) -> float:
    """1 - var(remainder) / var(season + remainder); 0 when the trend leaves (next to)
    nothing, as for a constant or a straight line, where the ratio is of rounding errors."""
    spread = float(np.var(seasonal + resid))
    if spread <= 1e-9 * float(np.var(y)) or not np.ptp(y):
        return 0.0
    return 1 - float(np.var(resid)) / spread


def _season(y: Floats, seasons: tuple[int, ...]) -> tuple[int | None, Floats]:
    """The strongest clear season of ``y`` and its STL seasonal component (zeros without)."""
    best, component, strongest = None, np.zeros(len(y)), MIN_STRENGTH
    for m in seasons:
        if len(y) < 3 * m or m < 2:
            continue
        fit = STL(y, period=m).fit()
        strength = _strength(y, np.asarray(fit.seasonal), np.asarray(fit.resid))
        if strength >= strongest:
            best, component, strongest = m, np.asarray(fit.seasonal), strength
    return best, component


def _repeat(seasonal: Floats, m: int | None, steps: int) -> Floats:
    """The last season of a seasonal component carried ``steps`` ahead."""
    if m is None:
        return np.zeros(steps)
    last = seasonal[-m:]
    return np.array([last[i % m] for i in range(steps)])


def _ets(adjusted: Floats) -> ETSModel:
    return ETSModel(pd.Series(adjusted), error="add", trend="add", damped_trend=True)


def _ets_path(adjusted: Floats, params: Floats, steps: int) -> Floats:
    """The damped-trend forecast from the states filtered over ``adjusted`` with ``params``."""
    _, states = _ets(adjusted).smooth(params, return_raw=True)
    level, trend = np.asarray(states)[-1]
    phi = params[2]
    damped = np.cumsum(phi ** np.arange(1, steps + 1))
    return np.asarray(level + trend * damped, dtype=np.float64)


def _naive(y: Floats, m: int, steps: int, level: float) -> tuple[Floats, Floats, Floats]:
    """The seasonal naive forecast (``m`` = 1: the last value) and its normal intervals."""
    errors = y[m:] - y[:-m]
    sigma = math.sqrt(float(np.mean(errors**2))) if len(errors) else 0.0
    mean = np.array([y[len(y) - m + (h % m)] for h in range(steps)], dtype=np.float64)
    seasons_ahead = np.arange(steps) // m + 1
    half = float(stats.norm.ppf(0.5 + level / 2)) * sigma * np.sqrt(seasons_ahead)
    return mean, mean - half, mean + half


def _scale(y: Floats, m: int) -> float | None:
    """The in-sample MAE of the one-step seasonal naive forecast (MASE's denominator)."""
    if len(y) <= m:
        return None
    scale = float(np.mean(np.abs(y[m:] - y[:-m])))
    return scale or None


def fit(y: Floats, steps: int, seasons: tuple[int, ...], level: float = 0.8) -> Fitted:
    """Forecast ``steps`` points after ``y`` with ``level`` prediction intervals."""
    n = len(y)
    empty = np.zeros(0)
    if n < MIN_HISTORY:
        return Fitted(None, None, empty, empty, empty, None, None, 0, Reason.HISTORY_TOO_SHORT)
    with warnings.catch_warnings(), _BLAS.limit(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")  # statsmodels' convergence chatter
        if n < MIN_ETS:
            return _fallback(y, steps, seasons, level)
        m, seasonal = _season(y, seasons)
        adjusted = y - seasonal
        fitted = _ets(adjusted).fit(disp=False)
        params = np.asarray(fitted.params, dtype=np.float64)
        frame = fitted.get_prediction(start=n, end=n + steps - 1).summary_frame(alpha=1 - level)
        ahead = _repeat(seasonal, m, steps)
        mean = np.asarray(frame["mean"], dtype=np.float64) + ahead
        half = np.asarray(frame["pi_upper"], dtype=np.float64) + ahead - mean

        def again(past: Floats, h: int) -> Floats:
            season, component = _season(past, (m,)) if m else (None, np.zeros(len(past)))
            return _ets_path(past - component, params, h) + _repeat(component, season, h)

        errors = _backtest(y, steps, again, MIN_ETS)
    return _fitted(Model.STL_ETS if m else Model.ETS, m, y, mean, half, errors, level)


def _fallback(y: Floats, steps: int, seasons: tuple[int, ...], level: float) -> Fitted:
    """A short series: the seasonal naive forecast with the longest season it holds twice."""
    m = max((s for s in seasons if len(y) >= 2 * s), default=1)
    mean, _, high = _naive(y, m, steps, level)
    errors = _backtest(y, steps, lambda past, h: _naive(past, m, h, level)[0], m + 2)
    model = Model.SEASONAL_NAIVE if m > 1 else Model.NAIVE
    return _fitted(model, m if m > 1 else None, y, mean, high - mean, errors, level)


def _fitted(
    model: Model, m: int | None, y: Floats, mean: Floats, half: Floats, errors: Floats,
    level: float,
) -> Fitted:  # fmt: skip
    """The forecast with its back-test: MAE, MASE, and the intervals widened when they would
    have covered less than ``level`` of the back-test's forecasts (a split-conformal check:
    each error is scaled by the interval's half-width at its horizon)."""
    widened, mae, mase = 1.0, None, None
    if errors.size:
        mae = float(np.mean(np.abs(errors)))
        scale = _scale(y, m or 1)
        mase = None if scale is None else mae / scale
        width = half[: errors.shape[1]]
        if (width > 0).all():
            widened = max(1.0, float(np.quantile(np.abs(errors) / width, level)))
    return Fitted(model, m, mean, mean - widened * half, mean + widened * half, mae, mase,
                  int(errors.size), None, widened)  # fmt: skip


def _backtest(y: Floats, steps: int, forecast: object, shortest: int) -> Floats:
    """The errors (origins x steps ahead) of the forecasts from up to ``ORIGINS`` origins,
    each ``h`` points ahead, ``h`` a quarter of the history at most; ``forecast(past, h)``
    forecasts ``h`` points after ``past``."""
    assert callable(forecast)
    n = len(y)
    h = max(1, min(steps, n // 4))
    origins = list(range(n - h, shortest - 1, -max(1, h // 2)))[:ORIGINS]
    errors = [
        np.asarray(forecast(y[:origin], h), dtype=np.float64) - y[origin : origin + h]
        for origin in origins
    ]
    return np.array(errors, dtype=np.float64).reshape(len(errors), h)
