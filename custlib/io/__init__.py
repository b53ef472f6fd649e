"""Reading: a CRM export (or the bundled data) to the canonical tables of :mod:`custlib.schema`.

The path of the data, one module per step:

* :mod:`~custlib.io.mapping` — the mapping file: which file is which table, the user's
  own column and value names, the settings;
* :mod:`~custlib.io.files` — finding the files and reading them (CSV in any of the
  encodings found in the wild, ``.xlsx`` through the bounded reader :mod:`~custlib.io.xlsx`);
* :mod:`~custlib.io.parse` — numbers, dates and ids as exports write them;
* :mod:`~custlib.io.normalise` — one table made canonical;
* :mod:`~custlib.io.rules` — every rule of :data:`RULES` as a function (:data:`APPLY`);
* :mod:`~custlib.io.pseudonym` — personal data replaced by stable pseudonyms;
* :mod:`~custlib.io.issues` — what is wrong and where: :class:`Report`, :class:`InputError`;
* :mod:`~custlib.io.ingest` — :func:`validate` and :func:`import_data`, the whole input;
* :mod:`~custlib.io.crmdata` — :func:`load`, one :class:`CRMData` of DataFrames for the
  lessons, the workbook and the command line.

Examples
--------
>>> from custlib.io import load
>>> crm = load()          # the bundled synthetic data
>>> crm.currency, len(crm.orders) > 0
('CNY', True)
"""

from custlib.io.crmdata import (DEFAULT_DATA_DIR, CRMData, DataWarning, SchemaError, data_dir,
                                load, read_table)
from custlib.io.ingest import import_data, validate
from custlib.io.issues import InputError, Issue, Report
from custlib.io.mapping import Mapping, TableMapping, read_mapping
from custlib.io.rules import APPLY, RULES

__all__ = ["load", "CRMData", "DEFAULT_DATA_DIR", "data_dir", "read_table", "DataWarning",
           "SchemaError", "validate", "import_data", "Report", "Issue", "InputError",
           "read_mapping", "Mapping", "TableMapping", "RULES", "APPLY"]
