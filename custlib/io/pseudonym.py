"""Pseudonyms for the personal fields of a CRM export.

``custlib run --pseudonymise`` (and :func:`custlib.io.import_data` with
``pseudonymise=True``) replaces every field that names or reaches a person or an
organisation before anything is written:

* names (``customer_name``, ``contact_name``, ``rep_name``) become
  ``Customer 1A2B3C4D5E6F7A8B``, ``Contact …``, ``Rep …``;
* ``mobile`` becomes another 11-digit number starting with 1, ``email`` becomes
  ``<16 hex digits>@example.invalid``, ``qq`` a 10-digit QQ number;
* the ids ``customer_id``, ``contact_id`` and ``rep_id`` become ``C-…``, ``P-…`` and
  ``R-…`` (16 hex digits) in *every* table, the same id giving the same pseudonym
  everywhere, so the tables still join;
* ``birthday`` is emptied: no lesson uses it, and a date of birth with a city and a
  job title is enough to find a person.

A pseudonym is a keyed hash (BLAKE2b) of the value. Whoever knows the key can
recompute pseudonyms from a list of candidate values (every mobile number is only
10 digits), so the key must be secret. Without a key (no ``key`` argument and no
``$CUSTLIB_PSEUDONYM_KEY``) a random key is drawn for the run and forgotten: the
pseudonyms then differ from one run to the next. Set ``CUSTLIB_PSEUDONYM_KEY`` to a
long random secret (and keep it out of the output) for pseudonyms that stay the same
every month.

Names, e-mails and ids carry 64 bits of the hash (16 hex digits): two different
values sharing one pseudonym is practically impossible, and
:func:`pseudonymise_tables` checks it anyway. Mobiles (10 free digits, about 33
bits) and QQ numbers (about 33 bits) do clash at scale (roughly two pairs among
200,000 numbers): a value losing a clash is given the next pseudonym of its own
sequence (the hash with a counter), which is noted in the report.

Examples
--------
>>> import pyarrow as pa
>>> tables = {"customers": pa.table({"customer_id": ["苏州宏远", "C2"], "customer_name": ["苏州宏远建设", "B"]}),
...           "orders": pa.table({"order_id": ["O1"], "customer_id": ["苏州宏远"], "amount": [100]})}
>>> out, notes = pseudonymise_tables(tables, key="a long secret")
>>> out["orders"]["customer_id"][0] == out["customers"]["customer_id"][0]
True
>>> out["customers"]["customer_id"][0].as_py()[:2], len(out["customers"]["customer_id"][0].as_py())
('C-', 18)
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from custlib import schema

__all__ = ["EMPTIED", "KEY_ENV", "KINDS", "PERSONAL", "pseudonym", "pseudonymise_tables",
           "resolve_key", "without_paths", "without_samples"]

#: The environment variable holding the secret key.
KEY_ENV = "CUSTLIB_PSEUDONYM_KEY"

#: The form of the pseudonym of each kind of value: a label before 16 hex digits,
#: or one of the forms ``mobile``, ``email``, ``qq``.
_HEX_LABELS = {
    "customer_name": "Customer ", "contact_name": "Contact ", "rep_name": "Rep ",
    "customer_id": "C-", "contact_id": "P-", "rep_id": "R-", "order_id": "O-",
    "opportunity_id": "K-", "activity_id": "A-", "invitation_id": "I-", "event_id": "E-",
}
#: Kinds whose pseudonyms are short numbers: clashes are resolved, not errors.
_NUMERIC = ("mobile", "qq")
#: Every kind :func:`pseudonym` accepts.
KINDS = tuple(_HEX_LABELS) + _NUMERIC + ("email",)

#: The columns replaced in every table that has them (the ids keep the tables joined).
_REPLACED = ("customer_id", "contact_id", "rep_id", "customer_name", "contact_name",
             "rep_name", "mobile", "email", "qq")
#: Columns emptied (set to null) rather than pseudonymised: no lesson needs them.
EMPTIED = ("birthday",)

#: Personal columns of each canonical table (plus ``customer_name`` an orders export may
#: carry): replaced or emptied by :func:`pseudonymise_tables`.
PERSONAL: dict[str, tuple[str, ...]] = {
    name: tuple(c for c in t.names + (["customer_name"] if name == "orders" else [])
                if c in _REPLACED or c in EMPTIED)
    for name, t in schema.TABLES.items()
}

_PERSON = b"custlib-pseudo"   # domain separation of the key derivation
_PROBES = 64                  # attempts to resolve a clash of a short numeric pseudonym


# --- the key -----------------------------------------------------------------------------

def _resolve(key) -> tuple[bytes, str, int | None]:
    """``(derived key, how chosen, length of the user's key or None if random)``."""
    if isinstance(key, (bytes, bytearray)):          # a key already derived by resolve_key
        if not 1 <= len(key) <= 64:
            raise ValueError("a derived pseudonym key has 1 to 64 bytes")
        return bytes(key), "given", None
    if key is not None and not isinstance(key, str):
        raise TypeError(f"the pseudonym key must be a string, not {type(key).__name__}")
    if key is not None:
        raw, how = key, "given"
    elif KEY_ENV in os.environ:
        raw, how = os.environ[KEY_ENV], "environment"
    else:
        return (hashlib.blake2b(secrets.token_bytes(32), digest_size=64, person=_PERSON).digest(),
                "random for this run", None)
    if not raw.strip():
        where = "the key given" if how == "given" else f"${KEY_ENV}"
        raise ValueError(f"{where} is empty: a pseudonym key must be a secret of some length "
                         f"(set {KEY_ENV} to a long random string, or unset it to get a random "
                         "key for this run)")
    data = raw.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=64, person=_PERSON).digest(), how, len(data)


def resolve_key(key: str | None = None) -> tuple[bytes, str]:
    """The secret key of the pseudonyms, and how it was chosen.

    The key is ``key``, else ``$CUSTLIB_PSEUDONYM_KEY``, else 32 random bytes drawn
    now (so pseudonyms differ from run to run). The key's bytes are hashed into the
    64-byte BLAKE2b key, so every byte of a long key counts.

    Parameters
    ----------
    key : str, optional
        The secret key.

    Returns
    -------
    tuple of (bytes, str)
        The 64-byte derived key, and ``"given"``, ``"environment"`` or
        ``"random for this run"``.

    Raises
    ------
    ValueError
        The key (given, or in the environment variable) is empty or only spaces.

    Examples
    --------
    >>> secret, how = resolve_key("correct horse battery staple")
    >>> len(secret), how
    (64, 'given')
    >>> resolve_key(None)[0] != resolve_key(None)[0] or KEY_ENV in os.environ
    True
    """
    secret, how, _ = _resolve(key)
    return secret, how


# --- one value ---------------------------------------------------------------------------

def _digest(value: str, kind: str, secret: bytes, attempt: int = 0) -> int:
    """64 bits of the keyed hash of ``value`` (``attempt`` > 0: the next in its sequence)."""
    message = f"{kind}\0{attempt}\0{value}".encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(message, key=secret, digest_size=8).digest(), "big")


def _form(kind: str, h: int) -> str:
    if kind == "mobile":
        return f"1{h % 10**10:010d}"
    if kind == "qq":
        return str(10**9 + h % (9 * 10**9))
    if kind == "email":
        return f"{h:016x}@example.invalid"
    return f"{_HEX_LABELS[kind]}{h:016X}"


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown kind of pseudonym {kind!r}: expected one of {list(KINDS)}")


def pseudonym(value: str, kind: str, key: str | bytes | None = None) -> str:
    """The pseudonym of a name, phone, e-mail, QQ number or id.

    The same value, kind and key always give the same pseudonym, and a pseudonym is
    never the value itself.

    Parameters
    ----------
    value : str
        The value to hide.
    kind : str
        What it is, which sets the form of the pseudonym: ``customer_name``,
        ``contact_name``, ``rep_name`` (``Customer 1A2B3C4D5E6F7A8B``, …), ``mobile``
        (11 digits starting with 1), ``email`` (``…@example.invalid``), ``qq``
        (10 digits), or an id: ``customer_id`` (``C-`` and 16 hex digits),
        ``contact_id`` (``P-``), ``rep_id`` (``R-``), ``order_id`` (``O-``),
        ``opportunity_id`` (``K-``), ``activity_id`` (``A-``), ``invitation_id``
        (``I-``), ``event_id`` (``E-``).
    key : str or bytes, optional
        The secret key (see :func:`resolve_key`; bytes: a key it returned). Default
        ``$CUSTLIB_PSEUDONYM_KEY``; required if that is not set, since a random key
        would give another pseudonym on every call.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Unknown ``kind``; empty key; no key at all.

    Examples
    --------
    >>> pseudonym("苏州宏远建设有限公司", "customer_name", key="k") == pseudonym(
    ...     "苏州宏远建设有限公司", "customer_name", key="k")
    True
    >>> p = pseudonym("13800138000", "mobile", key="k")
    >>> p[:1], len(p), p != "13800138000"
    ('1', 11, True)
    >>> pseudonym("苏州宏远", "customer_id", key="k")[:2]
    'C-'
    """
    _check_kind(kind)
    if key is None and KEY_ENV not in os.environ:
        raise ValueError(f"pseudonym() needs a key: pass key=... or set {KEY_ENV}")
    secret = _resolve(key)[0]
    for attempt in range(_PROBES):
        p = _form(kind, _digest(value, kind, secret, attempt))
        if p != value:
            return p
    raise ValueError(f"no pseudonym for {kind} differs from the value")  # pragma: no cover


# --- whole tables ------------------------------------------------------------------------

def _assign(values: list[str], kind: str, column: str, secret: bytes) -> tuple[list[str], int]:
    """Pseudonyms of distinct ``values``: all different from each other and from every value.

    Short numeric forms losing a clash take the next pseudonym of their sequence (the
    smallest value in sort order keeps the first); any other clash is an error.
    Returns the pseudonyms and how many values were moved off a clash.
    """
    first = [_form(kind, _digest(v, kind, secret)) for v in values]
    originals = set(values)
    if kind not in _NUMERIC:
        clash = len(set(first)) < len(first) or not originals.isdisjoint(first)
        if clash:
            raise _collision(column, kind, values, first)
        return first, 0
    taken: set[str] = set()
    out: list[str | None] = [None] * len(values)
    order = sorted(range(len(values)), key=values.__getitem__)
    losers = []
    for i in order:                      # first choices: the first claimant keeps it
        p = first[i]
        if p in taken or p in originals:
            losers.append(i)
        else:
            taken.add(p)
            out[i] = p
    for i in losers:                     # the others: the next of their own sequence
        for attempt in range(1, _PROBES):
            p = _form(kind, _digest(values[i], kind, secret, attempt))
            if p not in taken and p not in originals:
                taken.add(p)
                out[i] = p
                break
        else:
            raise _collision(column, kind, values, first)
    return out, len(losers)  # type: ignore[return-value]


def _collision(column: str, kind: str, values: list[str], pseudonyms: list[str]) -> ValueError:
    seen: dict[str, str] = {}
    originals = set(values)
    count = 0
    for v, p in zip(values, pseudonyms):
        if p in seen or p in originals:
            count += 1
        seen.setdefault(p, v)
    return ValueError(f"pseudonyms of column {column} collide: {count} of {len(values):,} "
                      f"different {kind} value(s) would share a pseudonym (or take an original "
                      "value); the hash is broken. Nothing was written")


def pseudonymise_tables(tables: dict[str, pa.Table], key: str | None = None
                        ) -> tuple[dict[str, pa.Table], list[str]]:
    """Replace every personal field of every table by a pseudonym (birthdays by null).

    Every column named in :data:`PERSONAL` is handled in whichever table holds it:
    names, mobiles, e-mails and QQ numbers are pseudonymised, the ids
    ``customer_id``, ``contact_id`` and ``rep_id`` too (one mapping per id over all
    tables, so references still resolve), and ``birthday`` is set to null. Work is
    done once per distinct value, then spread to the rows with ``take``.

    Parameters
    ----------
    tables : dict of str to pyarrow.Table
        The canonical tables; other columns are left as they are.
    key : str, optional
        The secret key (see :func:`resolve_key`).

    Returns
    -------
    tables : dict of str to pyarrow.Table
        The tables with the personal fields replaced (the input is not changed).
    notes : list of str
        Sentences for the validation report: what was replaced, how the key was chosen.

    Raises
    ------
    ValueError
        Empty key; two different values of one column kind would share a pseudonym
        (the message names the column).

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = {"contacts": pa.table({"contact_id": ["P1"], "customer_id": ["C1"],
    ...                            "mobile": ["13800138000"], "birthday": ["1980-05-04"]})}
    >>> out, notes = pseudonymise_tables(t, key="k")
    >>> out["contacts"]["birthday"].null_count, out["contacts"]["mobile"][0].as_py() != "13800138000"
    (1, True)
    """
    secret, how, length = _resolve(key)
    # the distinct values of each kind over every table
    present: dict[str, list[str]] = {}
    for name, t in tables.items():
        for c in t.column_names:
            if c in _REPLACED:
                present.setdefault(c, []).append(name)
    lookups: dict[str, tuple[pa.Array, pa.Array]] = {}
    moved: dict[str, int] = {}
    for kind, names in present.items():
        cols = [_as_string(tables[n].column(kind)) for n in names]
        uniq = pc.unique(pa.chunked_array([ch for col in cols for ch in col.chunks],
                                          pa.string())).drop_null()
        values = uniq.to_pylist()
        column = ", ".join(f"{n}.{kind}" for n in names)
        if not values:
            continue                   # an empty column stays as it is
        pseudonyms, moved[kind] = _assign(values, kind, column, secret)
        lookups[kind] = (uniq, pa.array(pseudonyms, pa.string()))
    out: dict[str, pa.Table] = {}
    for name, t in tables.items():
        for i, c in enumerate(t.column_names):
            if c in lookups:
                uniq, names_ = lookups[c]
                idx = pc.index_in(_as_string(t.column(c)), value_set=uniq)
                t = t.set_column(i, c, pc.take(names_, idx))
            elif c in EMPTIED:
                t = t.set_column(i, c, pa.nulls(t.num_rows, t.schema.field(c).type))
        out[name] = t
    return out, _notes(tables, present, moved, how, length)


def _as_string(col) -> pa.ChunkedArray:
    col = col if isinstance(col, pa.ChunkedArray) else pa.chunked_array([col])
    return col if col.type == pa.string() else pc.cast(col, pa.string())


def _notes(tables, present, moved, how, length) -> list[str]:
    notes = []
    filled = [k for k in _REPLACED if k in present and k in moved]   # columns with values
    fields = [k for k in filled if not k.endswith("_id")]
    ids = [k for k in filled if k.endswith("_id")]
    if fields:
        notes.append(f"pseudonymised: {', '.join(fields)} replaced by pseudonyms in every table")
    if ids:
        notes.append(f"pseudonymised: the ids {', '.join(ids)} replaced by pseudonyms, the same id "
                     "by the same pseudonym in every table, so the tables still join")
    emptied = sorted({c for t in tables.values() for c in t.column_names
                      if c in EMPTIED and t.column(c).null_count < t.num_rows})
    if emptied:
        notes.append(f"pseudonymised: {', '.join(emptied)} emptied (set to null): no lesson "
                     "needs it")
    for kind, n in moved.items():
        if n:
            notes.append(f"pseudonymised: {n} {kind} value(s) clashed with another pseudonym or an "
                         "original value and took the next pseudonym of their sequence")
    if how == "random for this run":
        notes.append(f"pseudonym key: random for this run, and not kept; pseudonyms are stable "
                     f"across runs only with a key you set in {KEY_ENV}")
    else:
        source = f"from ${KEY_ENV}" if how == "environment" else "given"
        notes.append(f"pseudonym key: {source}; pseudonyms are stable across runs only with a "
                     f"key you set in {KEY_ENV} (and keep secret)")
        if length is not None and length < 16:
            notes.append(f"pseudonym key: only {length} byte(s) long; anyone holding candidate "
                         "values (names, mobile numbers) could guess it: use 16 or more random "
                         "characters")
    return notes


# --- paths in reports --------------------------------------------------------------------

def without_paths(text: str, paths) -> str:
    """``text`` with every given path (as given, absolute or resolved) cut to its name.

    Parameters
    ----------
    text : str
    paths : iterable of path-like, ``(path, label)`` or None
        The paths to hide; a pair gives the text to show instead of the name.

    Returns
    -------
    str

    Examples
    --------
    >>> without_paths("read /home/li/crm/orders.csv from /home/li/crm",
    ...               ["/home/li/crm/orders.csv", ("/home/li/crm", "the data folder")])
    'read orders.csv from the data folder'
    """
    forms: dict[str, str] = {}
    for p in paths:
        label = None
        if isinstance(p, tuple):
            p, label = p
        if p is None:
            continue
        p = Path(p)
        name = label or p.name or Path(os.path.abspath(p)).name
        for f in (str(p), str(p.expanduser()), os.path.abspath(p.expanduser()),
                  os.path.realpath(p.expanduser())):
            if f != name and (os.sep in f or "/" in f):   # a bare name is no path
                forms.setdefault(f, name)
    if not forms:
        return text
    pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))
    return pattern.sub(lambda m: forms[m.group(0)], text)


_QUOTED = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_SAMPLES = re.compile(rf"\({_QUOTED}(?:, {_QUOTED})*\)")


def without_samples(message: str) -> str:
    """``message`` with its quoted sample values (``('a', 'b')``) withheld.

    Examples
    --------
    >>> without_samples("2 value(s) hold control characters ('Li\\\\x0bWei', 'Wang'): removed")
    '2 value(s) hold control characters (values withheld): removed'
    """
    return _SAMPLES.sub("(values withheld)", message)
