"""The contacts of the synthetic CRM: who each account's people are, and the ``contacts`` table.

Everything about contacts is made here, in two calls because of where their random
draws fall in the dataset's single numpy stream (moving a draw would change every
table drawn after it):

* :func:`make_contacts` (the ``contacts`` step) takes the numpy generator and the
  :class:`~custlib.synth.accounts.Accounts` and returns :class:`Contacts`: how many
  contacts each account has (more for bigger customers) and each contact's buying
  role (digest §9): the first a decision maker or a user, then a user, an
  influencer, a coach, and the rest influencers or users. The activities need it.
* :func:`contacts_table` takes the numpy generator (after the customers step), the
  :class:`Contacts`, the locale's name pools and the customer ids, draws each
  contact's name, title (by role), mobile, QQ, e-mail and birthday, and returns the
  ``contacts`` table in customer-id order with the contact ids, which the activities
  table refers to.

Examples
--------
>>> import numpy as np
>>> from custlib.synth.generate import generate
>>> contacts = generate(seed=1, customers=200)["contacts"].to_pandas()
>>> bool((contacts.groupby("customer_id")["role"].first() != "coach").all())
True
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
from custlib.synth.people import NamePools, person_names

__all__ = ["Contacts", "make_contacts", "contacts_table"]


@dataclass(frozen=True)
class Contacts:
    """Each account's contacts, by account then position; names come with the table."""

    #: number of contacts of each account, and the row of each account's first contact
    count: np.ndarray
    start: np.ndarray
    #: account of each contact, its position among the account's contacts, its role code
    cust: np.ndarray
    pos: np.ndarray
    role: np.ndarray


def make_contacts(rng: np.random.Generator, acc: Accounts) -> Contacts:
    """Draw how many contacts each account has, and each contact's role."""
    tier_all = np.pad(acc.tier, (0, acc.n - acc.n_buyers))
    lam = np.select([acc.layer == 0, acc.layer == 1, acc.layer == 2],
                    [np.array([4.0, 3.0, 1.5, 0.6])[tier_all], 0.5, 1.5], 0.2)
    k = 1 + rng.poisson(lam)
    start = group_starts(k)
    cust = np.repeat(np.arange(acc.n), k)
    pos = np.arange(len(cust)) - start[cust]
    role = np.select([pos == 0, pos == 1, pos == 2, pos == 3],
                     [np.where(rng.random(len(cust)) < 0.6, 0, 2), 2, 1, 3],
                     rng.choice([1, 2], len(cust)))
    return Contacts(count=k, start=start, cust=cust, pos=pos, role=role)


def contacts_table(rng: np.random.Generator, c: Contacts, pools: NamePools,
                   customer_ids: Ids) -> tuple[pa.Table, Ids]:
    """Draw the contacts' names and details; the ``contacts`` table and the contact ids.

    Contact ids are numbered in customer-id order, then by position; the returned
    :class:`~custlib.synth._arrays.Ids` maps a contact row (as in :class:`Contacts`)
    to its id.
    """
    zh = pools.zh
    cc = c.cust
    order = np.lexsort((c.pos, customer_ids.rank[cc]))
    n_c = len(cc)
    full, first, last = person_names(rng, pools, n_c)
    titles = words.TITLES
    role = c.role
    n_titles = np.array([len(titles[r]) for r in schema.CONTACT_ROLES])
    t_pick = (rng.random(n_c) * n_titles[role]).astype(np.int64)
    t_flat = [t[0] if zh else t[1] for r in schema.CONTACT_ROLES for t in titles[r]]
    t_off = np.cumsum([0] + [len(titles[r]) for r in schema.CONTACT_ROLES])[:-1]
    mobile = providers.mobiles(rng, n_c)
    qq = providers.qq_numbers(rng, n_c)
    domains = pools.email_domains
    if zh:
        use_qq = rng.random(n_c) < 0.6
        user = pc.if_else(pa.array(use_qq), qq, mobile)
        domain = pc.if_else(pa.array(use_qq), pa.scalar("qq.com"),
                            take(domains, rng.integers(1, len(domains), n_c)))
        qq = pc.if_else(pa.array(rng.random(n_c) < 0.2), pa.nulls(n_c, pa.string()), qq)
    else:
        user = pc.utf8_lower(join(first, last, sep="."))
        domain = take(domains, rng.integers(0, len(domains), n_c))
        qq = pa.nulls(n_c, pa.string())
    email = join(user, domain, sep="@")
    bday = rng.integers(day_of("1962-01-01"), day_of("2001-12-31"), n_c)
    bday_unknown = rng.random(n_c) < 0.1  # blank when unknown, never invented (digest §11)
    cwidth = max(6, len(str(n_c)))
    rank = np.empty(n_c, dtype=np.int64)
    rank[order] = np.arange(n_c)  # contact row -> id number - 1
    ids = providers.format_ids("P", np.arange(1, n_c + 1), cwidth)
    sel = pa.array(order)
    table = pa.table({
        "contact_id": ids,
        "customer_id": customer_ids.of(cc[order]),
        "contact_name": full.take(sel),
        "role": cat(schema.CONTACT_ROLES, role[order]),
        "title": take(pa.array(t_flat), (t_off[role] + t_pick)[order]),
        "mobile": mobile.take(sel),
        "email": email.take(sel),
        "qq": qq.take(sel),
        "birthday": date_array(bday[order], mask=bday_unknown[order]),
    })
    return table, Ids(rank=rank, ids=ids)
