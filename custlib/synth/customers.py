"""The ``customers`` table of the synthetic CRM: the fields that depend on the other tables.

Made last of the steps (the ``finish`` step), because a customer's first contact
precedes everything else known of it and its seats follow its orders.
:func:`make_customers` takes the numpy generator, the locale, the
:class:`~custlib.synth.accounts.Accounts`, the
:class:`~custlib.synth.orders.Orders`, the
:class:`~custlib.synth.opportunities.Opportunities`, the
:class:`~custlib.synth.activities.Activities`, the
:class:`~custlib.synth.events.Events` and the :class:`~custlib.synth.reps.Reps`,
and returns :class:`Customers`: the customer ids, numbered in order of first contact
as a CRM numbers them (every other table refers to them), and the table, with the
estimators, the seats owned (software seats bought), competitor seats, importance,
first-contact date and a unique organisation name per account.

Examples
--------
>>> from custlib.synth.generate import generate
>>> cust = generate(seed=1, customers=200)["customers"].to_pandas()
>>> cust["customer_name"].is_unique, bool((cust["seats_owned"] <= cust["estimators"]).all())
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custlib import schema
from custlib.synth import providers, words
from custlib.synth._arrays import Ids, cat, date_array, day_of, group_starts, join, take
from custlib.synth.accounts import Accounts
from custlib.synth.activities import Activities
from custlib.synth.events import Events
from custlib.synth.opportunities import Opportunities
from custlib.synth.orders import Orders
from custlib.synth.reps import Reps

__all__ = ["Customers", "make_customers"]


@dataclass(frozen=True)
class Customers:
    """The customer ids (``ids.of(account)``) and the ``customers`` table."""

    ids: Ids
    table: pa.Table


def make_customers(rng: np.random.Generator, locale: str, acc: Accounts, o: Orders,
                   opp: Opportunities, act: Activities, ev: Events, reps: Reps) -> Customers:
    """Draw seats, competitors, importance, first contact, id order and names."""
    n_acc = acc.n
    # seats owned = software seats bought (not upgrades); estimators at least that many
    bought = np.zeros(n_acc, dtype=np.int64)
    new_seats = ~o.upgrade
    np.add.at(bought, o.cust[new_seats], o.seats[new_seats])
    rev1_all = np.zeros(n_acc)
    rev1_all[: acc.n_buyers] = acc.rev1
    est = np.where(acc.layer == 0,
                   1 + np.round(rev1_all / 1_800 * rng.lognormal(0, 0.35, n_acc)),
                   1 + np.round(rng.lognormal(np.log(5), 0.8, n_acc)))
    est = np.maximum(est.astype(np.int64), bought)
    seats_owned = np.minimum(bought, est)
    has_comp = rng.random(n_acc) < np.array([0.35, 0.6, 0.55, 0.4])[acc.layer]
    comp_seats = np.where(has_comp, 1 + rng.binomial(np.maximum(est - seats_owned, 0), 0.5), 0)
    est = np.maximum(est, seats_owned + comp_seats)
    tier_all = np.full(n_acc, 4)
    tier_all[: acc.n_buyers] = acc.tier
    important = (tier_all <= 1) | (est >= 40) | (rng.random(n_acc) < 0.03)

    # first contact: before anything else we know of the account
    first_seen = np.full(n_acc, np.iinfo(np.int64).max)
    fp = acc.first_purchase
    lag = np.minimum(30 + rng.exponential(120, int((fp >= 0).sum())), 500)  # days courting
    first_seen[fp >= 0] = fp[fp >= 0] - lag.astype(np.int64)
    np.minimum.at(first_seen, opp.cust, opp.dates[:, 0])
    np.minimum.at(first_seen, act.cust, act.day)
    np.minimum.at(first_seen, ev.cust, ev.day[ev.ev])
    never = first_seen == np.iinfo(np.int64).max
    first_seen[never] = rng.integers(day_of("2019-01-01"), day_of("2025-12-31"),
                                     int(never.sum()))

    # customer ids in order of first contact, as a CRM numbers them
    rank = np.empty(n_acc, dtype=np.int64)
    rank[np.lexsort((rng.random(n_acc), first_seen))] = np.arange(n_acc)
    width = max(5, len(str(n_acc)))
    ids = providers.format_ids("C", np.arange(1, n_acc + 1), width)  # ids[rank[i]]: account i
    inv = np.argsort(rank)  # account index in id order

    zh = locale == "zh_CN"
    names = _org_names(rng, zh, acc)
    comp_pool = pa.array([c[0] if zh else c[1] for c in words.COMPETITORS])
    comp_idx = rng.integers(0, len(comp_pool), n_acc)
    first_purchase = acc.first_purchase
    table = pa.table({
        "customer_id": ids,
        "customer_name": take(names, inv),
        "org_type": cat(schema.ORG_TYPES, acc.org_type[inv]),
        "business_line": cat(schema.BUSINESS_LINES, acc.line[inv]),
        "province": take(acc.provinces, acc.city[inv]),
        "city": take(acc.cities, acc.city[inv]),
        "estimators": pa.array(est[inv]),
        "seats_owned": pa.array(seats_owned[inv]),
        "competitor": take(comp_pool, comp_idx[inv], mask=comp_seats[inv] == 0),
        "competitor_seats": pa.array(comp_seats[inv]),
        "importance": cat(schema.IMPORTANCE, np.where(important, 0, 1)[inv]),
        "first_contact_date": date_array(first_seen[inv]),
        "first_purchase_date": date_array(np.maximum(first_purchase[inv], 0),
                                          mask=first_purchase[inv] < 0),
        "rep_id": take(reps.ids, acc.rep[inv]),
        "status_layer": cat(schema.STATUS_LAYERS, acc.layer[inv]),
    })
    return Customers(ids=Ids(rank=rank, ids=ids), table=table)


def _org_names(rng: np.random.Generator, zh: bool, acc: Accounts) -> pa.Array:
    """Unique organisation names: city + brand + descriptor + suffix (+ branch if taken)."""
    n_acc = acc.n
    syl = words.BRAND_SYLLABLES
    a = rng.integers(0, len(syl), n_acc)
    b = (a + rng.integers(1, len(syl), n_acc)) % len(syl)  # two different syllables
    if zh:
        zh_syl = pa.array([s[0] for s in syl])
        brand = join(take(zh_syl, a), take(zh_syl, b))
    else:
        en_syl = pa.array([s[1] for s in syl])
        brand = join(take(en_syl, a), pc.utf8_lower(take(en_syl, b)))
    # descriptor: by organisation type; contractors by business line
    keys = [schema.ORG_TYPES[t] if schema.ORG_TYPES[t] != "contractor" else None
            for t in range(4)]
    desc_lists = [words.DESCRIPTORS[k] for k in keys if k] + [
        words.DESCRIPTORS[line] for line in schema.BUSINESS_LINES]
    flat = [d[0] if zh else d[1] for lst in desc_lists for d in lst]
    offsets = np.cumsum([0] + [len(lst) for lst in desc_lists])
    lens = np.array([len(lst) for lst in desc_lists])
    # list index: owner 0, intermediary 1, other 2, contractor lines 3..7
    type_list = np.array([0, -1, 1, 2])[acc.org_type]
    which = np.where(type_list >= 0, type_list, 3 + acc.line)
    desc = offsets[which] + (rng.random(n_acc) * lens[which]).astype(np.int64)
    suffix = rng.choice(len(words.SUFFIXES), n_acc, p=[0.6, 0.2, 0.1, 0.1])
    suf_pool = pa.array([s[0] if zh else s[1] for s in words.SUFFIXES])
    city = take(acc.cities, acc.city)
    if zh:
        city = pc.replace_substring(city, "市", "")  # 苏州宏远…, not 苏州市宏远…
        name = join(city, brand, take(pa.array(flat), desc), take(suf_pool, suffix))
    else:
        name = join(city, brand, take(pa.array(flat), desc), take(suf_pool, suffix), sep=" ")
    # make names unique: the 2nd, 3rd... firm of the same name becomes a branch
    idx = pc.dictionary_encode(name).indices.to_numpy()
    order = np.argsort(idx, kind="stable")
    counts = np.bincount(idx)
    dup_no = np.empty(n_acc, dtype=np.int64)
    dup_no[order] = np.arange(n_acc) - np.repeat(group_starts(counts), counts)
    if (dup_no > 0).any():
        dup = dup_no > 0
        head, tail = ("（第", "分公司）") if zh else (" (Branch ", ")")
        tag = np.where(dup, np.char.add(np.char.add(head, (dup_no + 1).astype(str)), tail), "")
        name = join(name, pa.array(tag))
    return name
