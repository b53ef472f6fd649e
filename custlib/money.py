"""The currency of the data, and how amounts are shown.

Amounts are kept as they are in the source, cents (fen) included; how many decimals
a table or a chart shows is a display choice made here, never a change of the
value. The currency is a setting of the data (``[settings] currency = "USD"`` in a
mapping file, or ``custlib run --currency USD``); :func:`custlib.io.load` makes
it the display currency, like a plotting style, so a lesson's labels, tick
formatters and tables follow the data they show. The bundled data is in yuan (CNY).

Examples
--------
>>> set_currency("USD")
>>> money(1234.6), money(1234.5, decimals=2), unit()
('$1,235', '$1,234.50', 'USD')
>>> set_currency("CNY")
>>> money(-58_900), short(1_234_567), symbol()
('¥-58,900', '¥1.23M', '¥')
"""

from __future__ import annotations

__all__ = ["CURRENCIES", "DEFAULT_CURRENCY", "set_currency", "currency", "symbol", "unit",
           "money", "short", "label", "excel_format"]

#: Currency codes (ISO 4217) and their signs. Any other three-letter code is accepted
#: and shown as the code itself (``CHF 1,200``).
CURRENCIES = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥", "HKD": "HK$",
              "TWD": "NT$", "SGD": "S$", "AUD": "A$", "CAD": "C$", "KRW": "₩", "INR": "₹"}
#: The currency of the bundled synthetic data.
DEFAULT_CURRENCY = "CNY"

_current = DEFAULT_CURRENCY


def _check(code) -> str:
    if not isinstance(code, str) or len(code.strip()) != 3 or not code.strip().isalpha():
        raise ValueError(f"currency {code!r}: expected a three-letter code such as CNY, USD or EUR")
    return code.strip().upper()


def set_currency(code: str) -> None:
    """Make ``code`` the display currency (done by :func:`custlib.io.load`).

    Parameters
    ----------
    code : str
        Three-letter ISO 4217 code, any case (``"usd"``).

    Raises
    ------
    ValueError
        Not a three-letter code.

    Examples
    --------
    >>> set_currency("eur"); currency()
    'EUR'
    >>> set_currency("CNY")
    """
    global _current
    _current = _check(code)


def currency() -> str:
    """The display currency code (default :data:`DEFAULT_CURRENCY`)."""
    return _current


def symbol(code: str | None = None) -> str:
    """The sign of ``code`` (default: the display currency): ``¥``, ``$``, ``€`` … or
    the code and a space for a currency without a sign here."""
    code = _check(code) if code else _current
    return CURRENCIES.get(code, code + " ")


def unit(code: str | None = None) -> str:
    """The unit written in column labels: the code (``CNY``, ``USD``)."""
    return _check(code) if code else _current


def money(x, decimals: int = 0, code: str | None = None) -> str:
    """An amount with sign and thousands separators: ``¥58,900``, ``$1,234.50``.

    Parameters
    ----------
    x : float
        The amount; NA gives an empty string.
    decimals : int, default 0
        Decimals shown (the value itself is not changed).
    code : str, optional
        Currency (default: the display currency).

    Examples
    --------
    >>> money(19_000, code="CNY"), money(float("nan")), money(0.5, 2, code="USD")
    ('¥19,000', '', '$0.50')
    """
    try:
        if x is None or x != x:
            return ""
    except (TypeError, ValueError):  # pd.NA
        return ""
    return f"{symbol(code)}{x:,.{decimals}f}"


def short(x, _pos=None, code: str | None = None) -> str:
    """An amount for an axis tick: ``¥1.23M``, ``$45.6k``, ``€12`` (3 significant
    digits in thousands, millions, billions). Usable with ``FuncFormatter(short)``.

    Examples
    --------
    >>> short(1_234_567, code="USD"), short(45_600, code="CNY"), short(-1_500, code="CNY")
    ('$1.23M', '¥45.6k', '¥-1.5k')
    >>> short(999_999, code="CNY"), short(12.4, code="CNY")
    ('¥1M', '¥12')
    """
    sign = symbol(code)
    if abs(x) < 999.5:
        return f"{sign}{x:.0f}"
    units = (("k", 1e3), ("M", 1e6), ("B", 1e9))
    for k, (suffix, scale) in enumerate(units):
        shown = f"{x / scale:.3g}"
        if abs(float(shown)) < 1000 or k == len(units) - 1:  # 999,999 is 1M, not 1e+03k
            return f"{sign}{shown}{suffix}"
    raise AssertionError  # pragma: no cover


def label(text: str, code: str | None = None) -> str:
    """A column or axis label with the unit: ``label("revenue")`` → ``'revenue (CNY)'``."""
    return f"{text} ({unit(code)})"


def excel_format(decimals: int = 0, code: str | None = None) -> str:
    """The Excel number format of an amount: ``'"¥"#,##0'``, ``'"$"#,##0.00'``."""
    body = "#,##0" + ("." + "0" * decimals if decimals else "")
    sign = symbol(code).replace('"', "")
    return f'"{sign}"{body};-"{sign}"{body}'
