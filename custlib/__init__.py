"""custlib — customer-analysis methods for sales teams.

Small pure functions over pandas objects, one module per method of the course,
plus the canonical CRM schema, a validating loader and a synthetic-data generator.
"""

__version__ = "0.1.0"
