"""What-ifs a trainer moves live: :func:`what_if` (a function with sliders that fails loudly
and draws on the first run) and :func:`money_slider`; the widget behind them records a run
and hands it over finished.

``ipywidgets.interactive`` shows its function's output by capturing it live into an
``Output`` widget (``with self.out: ...``): the browser routes every output message
whose parent is the running cell into the widget, which works only if the browser
has already created the widget's model when the messages arrive. In JupyterLab with
ipykernel 7 (comms over subshells) the first picture was often lost that way, and a
headless ``nbclient`` has to mirror the capture, which stalled it.

:class:`WhatIf` runs the function with the cell's displays and printed text
recorded, renders the figures it left open, and sets the result as the ``Output``
widget's ``outputs`` state in one assignment. The browser receives the finished
outputs with the widget, on Run All as after a slider move; nothing depends on the
order of messages.
"""

from __future__ import annotations

import base64
import math
import html
import sys
import threading
import traceback

import ipywidgets as widgets

from custlib import money

__all__ = ["what_if", "money_slider", "WhatIf", "record"]

#: pyplot keeps global state and widget callbacks may run on another thread than
#: the cells (ipykernel 7 subshells): one what-if renders at a time.
_PYPLOT = threading.RLock()

NOTE = ("A static copy of the first run, with the starting values. "
        "Open the lesson in JupyterLab and run it to move the sliders.")


class _Stream:
    """A text stream appending to a list of notebook ``stream`` outputs."""

    def __init__(self, outputs: list, name: str):
        self.outputs, self.name = outputs, name

    def write(self, text: str) -> int:
        if text:
            last = self.outputs[-1] if self.outputs else None
            if last and last["output_type"] == "stream" and last["name"] == self.name:
                last["text"] += text
            else:
                self.outputs.append({"output_type": "stream", "name": self.name, "text": text})
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class _Publisher:
    """Stands in for IPython's display publisher while a what-if runs."""

    def __init__(self, outputs: list):
        self.outputs = outputs
        self.is_publishing = False

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **_):
        self.outputs.append({"output_type": "display_data", "data": dict(data),
                             "metadata": dict(metadata or {})})

    def clear_output(self, wait=False):
        self.outputs.clear()


def _figure_output(fig) -> dict:
    """A figure as the notebook's inline backend would show it (PNG without IPython)."""
    from IPython import get_ipython

    ip = get_ipython()
    if ip is not None:
        data, metadata = ip.display_formatter.format(fig)
        if any(k.startswith("image/") for k in data):
            return {"output_type": "display_data", "data": data, "metadata": metadata}
    from IPython.core.pylabtools import print_figure

    png = print_figure(fig, "png", bbox_inches="tight")
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": repr(fig)}}


def record(function, kwargs: dict) -> tuple[list, object, BaseException | None]:
    """Run ``function(**kwargs)`` and return what it showed, its result and its error.

    The outputs are notebook outputs in the order shown: ``stream`` for printed text,
    ``display_data`` for what it displayed and, last, one per matplotlib figure it
    left open (rendered, then closed). An exception is returned, not raised, with its
    traceback as a ``stream`` output on ``stderr``.
    """
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    outputs: list = []
    result, error = None, None
    ip = get_ipython()
    with _PYPLOT:
        before = set(plt.get_fignums())
        saved = sys.stdout, sys.stderr, (ip.display_pub if ip is not None else None)
        sys.stdout, sys.stderr = _Stream(outputs, "stdout"), _Stream(outputs, "stderr")
        if ip is not None:
            ip.display_pub = _Publisher(outputs)
        try:
            result = function(**kwargs)
        except Exception as exc:  # shown in the widget, re-raised on the first run
            error = exc
            sys.stderr.write("".join(traceback.format_exception(exc)))
        finally:
            sys.stdout, sys.stderr = saved[0], saved[1]
            if ip is not None:
                ip.display_pub = saved[2]
            for num in [n for n in plt.get_fignums() if n not in before]:
                fig = plt.figure(num)
                try:
                    if error is None:
                        outputs.append(_figure_output(fig))
                finally:
                    plt.close(fig)
    return outputs, result, error


def _static_html(outputs: list) -> str:
    """The recorded outputs as one HTML fragment (images inline), with the note."""
    parts = []
    for out in outputs:
        if out["output_type"] == "stream":
            parts.append(f"<pre>{html.escape(out['text'])}</pre>")
            continue
        data = out.get("data", {})
        if "image/png" in data:
            parts.append(f'<img src="data:image/png;base64,{data["image/png"]}" style="max-width:100%">')
        elif "image/svg+xml" in data:
            parts.append(data["image/svg+xml"])
        elif "text/html" in data:
            parts.append(data["text/html"])
        elif "text/plain" in data:
            parts.append(f"<pre>{html.escape(data['text/plain'])}</pre>")
    return (f'<div class="custlib-what-if">\n<p><em>{html.escape(NOTE)}</em></p>\n'
            + "\n".join(parts) + "\n</div>")


def off_grid(widget) -> str | None:
    """Why a slider's start is not one of its positions, or None when it is (or no slider).

    A browser slider can only rest on ``min + k * step``: a start between two steps is
    moved to the nearest one as soon as the widget is drawn, and the function runs
    again with that value, so the live picture would disagree with the text and the
    static copy computed from the start.
    """
    if isinstance(widget, widgets.FloatLogSlider):
        return None
    step, low = getattr(widget, "step", None), getattr(widget, "min", None)
    if not step or low is None or not hasattr(widget, "value"):
        return None
    def n(x):
        return f"{int(round(x)):,}" if abs(x - round(x)) < 1e-9 else f"{x:,.6g}"

    values = widget.value if isinstance(widget.value, (tuple, list)) else (widget.value,)
    for v in values:
        k = (v - low) / step
        if abs(k - round(k)) > 1e-6:
            below = low + step * (k // 1)
            return (f"the slider {getattr(widget, '_kwarg', widget.description)!r} starts at {n(v)}, "
                    f"which is not on its steps of {n(step)} from {n(low)} (the nearest are "
                    f"{n(below)} and {n(below + step)}); the browser would move it there. Give it "
                    f"a step that divides {n(v - low)}, or a min on the grid of the start "
                    f"(custlib.course.money_slider does it for amounts)")
    return None


def readable(widget) -> None:
    """Give a slider's readout thousands separators (d3-format), keeping its decimals."""
    fmt = getattr(widget, "readout_format", None)
    if isinstance(widget, widgets.IntSlider | widgets.IntRangeSlider) and fmt == "d":
        widget.readout_format = ",d"
    elif isinstance(widget, widgets.FloatSlider | widgets.FloatRangeSlider) and fmt == ".2f":
        step = widget.step or 0.01
        decimals = 0
        while decimals < 4 and abs(step * 10 ** decimals - round(step * 10 ** decimals)) > 1e-9:
            decimals += 1
        widget.readout_format = f",.{decimals}f"


class WhatIf(widgets.interactive):
    """``ipywidgets.interactive`` whose outputs are recorded, then set in one piece.

    Attributes
    ----------
    first_error : Exception or None
        What the function raised on the first run, with the initial values.
    first_outputs : list of dict
        The outputs of that first run (the static copy shown without a kernel).
    """

    first_error: BaseException | None = None
    first_outputs: list | None = None

    def update(self, *args):
        if self.first_outputs is None:          # the first run: check the sliders first
            for w in self.kwargs_widgets:
                readable(w)
            problems = [p for p in map(off_grid, self.kwargs_widgets) if p]
            if problems:
                self.first_outputs, self.first_error = [], ValueError("; ".join(problems))
                return
        kwargs = {w._kwarg: w.get_interact_value() for w in self.kwargs_widgets}
        self.kwargs = kwargs
        outputs, result, error = record(self.f, kwargs)
        self.result = result
        if self.first_outputs is None:
            self.first_outputs, self.first_error = outputs, error
        self.out.outputs = tuple(outputs)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = _static_html(self.first_outputs or [])
        return bundle


def what_if(function, *, show: bool = True, **controls):
    """Show a function with sliders (an ipywidgets ``interactive``), failing loudly.

    Like ``ipywidgets.interact``: each keyword is a widget, or an abbreviation such as
    a ``(min, max, step)`` tuple, for the argument of the same name, and the function
    runs again whenever one moves. Three things differ from ``interact``:

    * An exception raised on the first run, with the initial values, is raised here
      instead of being printed inside the widget, so a lesson executed without a
      browser (CI, ``custlib run``) fails when its what-if is broken.
    * What the function shows (its charts, tables and printed text) is recorded and
      handed to the widget as its finished outputs, instead of being captured live by
      the ``Output`` widget. The first picture is then part of the widget's state when
      the browser creates it, so it draws on Run All in JupyterLab and the classic
      notebook, whatever the order in which the browser and the kernel exchange
      messages; and a headless runner has no ``Output`` widget to mirror (mirroring
      one is what stalled ``nbclient``, see :mod:`custlib.course`).
    * The displayed widget carries a static copy of the first run (``text/html``) for
      every viewer without a live kernel: the HTML handouts, nbviewer, a notebook
      opened without running it. It says that the sliders work in JupyterLab.

    * Every slider must start on one of its steps (``min + k * step``): a browser
      slider moves a start between two steps to the nearest one and runs the function
      again, so the live picture would contradict the text above it. A start off the
      grid raises ``ValueError`` naming the slider. Readouts get thousands separators
      (``58,900``); an amount's currency belongs in the description, as
      :func:`money_slider` writes it.

    Charts are the matplotlib figures the function leaves open; each is rendered the
    way the notebook's inline backend would render it, then closed, so no figure is
    shown twice or left behind for another cell.

    Parameters
    ----------
    function : callable
        Draws a chart and/or displays a table from its keyword arguments; its
        defaults are the widgets' initial values.
    show : bool, default True
        Display the widget (False: only build it, e.g. to test the function).
    **controls
        Widgets or abbreviations, one per argument of ``function``.

    Returns
    -------
    ipywidgets.interactive
        The widget (displayed when ``show`` is true); ``.result`` holds the last
        return value of ``function`` and ``.out.outputs`` what it showed, as notebook
        outputs (``display_data`` and ``stream`` dicts).

    Raises
    ------
    ValueError
        A slider starts off its steps (nothing is run).
    Exception
        Whatever ``function`` raised with the initial values.

    Examples
    --------
    >>> def double(x=3):
    ...     print("twice", x)
    ...     return 2 * x
    >>> w = what_if(double, x=(0, 10, 1), show=False)
    >>> w.result, w.out.outputs[0]["text"]
    (6, 'twice 3\\n')
    >>> w.children[0].value = 5          # moving the slider runs it again
    >>> w.result
    10
    >>> what_if(double, x=(0, 10, 2), show=False)   # 3 is not on 0, 2, 4, ...
    Traceback (most recent call last):
    ...
    ValueError: the slider 'x' starts at 3, which is not on its steps of 2 from 0 ...
    """
    box = WhatIf(function, **controls)
    if box.first_error is not None:
        raise box.first_error
    if show:
        from IPython.display import display

        display(box)
    return box


def money_slider(value, low, high, step, description: str, *, code: str | None = None,
                 continuous_update: bool = True):
    """A slider for an amount that starts exactly at ``value``, read out like the tables.

    The range is ``low`` to ``high`` in steps of ``step``, shifted so that ``value`` is
    one of the positions (a browser slider can rest only on ``min + k * step``): the
    minimum becomes the lowest position at or above ``low`` on the grid through
    ``value``. The readout has thousands separators (``58,900``) and the description
    carries the currency's sign (``"target ¥"``). A ``value`` outside the range widens
    the range to hold it.

    Parameters
    ----------
    value : int or float
        Where the slider starts: the figure the text above it uses.
    low, high : int or float
        The range wanted.
    step : int or float
        The step (whole units of money give an ``IntSlider``).
    description : str
        The slider's name; the currency's sign is added.
    code : str, optional
        Currency (default: the display currency).
    continuous_update : bool, default True
        Redraw while dragging (False: on release).

    Returns
    -------
    ipywidgets.IntSlider or ipywidgets.FloatSlider

    Examples
    --------
    >>> s = money_slider(33_000, 5_000, 500_000, 5_000, "target", code="CNY")
    >>> s.value, s.min, s.max, s.step, s.description, s.readout_format
    (33000, 8000, 498000, 5000, 'target ¥', ',d')
    >>> money_slider(12_200, 500, 50_000, 500, "avg deal", code="USD").min
    700
    """
    import ipywidgets as widgets

    low, high = min(low, value), max(high, value)
    below = math.floor(round((value - low) / step, 9))
    start = value - below * step
    stop = start + math.floor(round((high - start) / step, 9)) * step
    whole = all(float(x).is_integer() for x in (value, start, stop, step))
    kind = widgets.IntSlider if whole else widgets.FloatSlider
    cast = int if whole else float
    decimals = 0 if whole else 2
    return kind(value=cast(value), min=cast(start), max=cast(stop), step=cast(step),
                description=f"{description} {money.symbol(code).strip()}",
                readout_format=",d" if whole else f",.{decimals}f",
                continuous_update=continuous_update, style={"description_width": "initial"})
