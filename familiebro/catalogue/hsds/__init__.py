"""The catalogue as HSDS 3.0 (Open Referral), and HSDS directories imported into it.

Other directories and the systems that read them speak HSDS, so the catalogue is served in it
(`api`, built by `queries` and `render`) and can be filled from it (`files` and `tabular` read
JSON and CSV into `records`, `importer` checks them against `schemas` and writes them). A
round trip keeps what Familiebro does not model (`patch`), under stable ids (`ids`). How each
field maps, which ids the records get and how an import merges is in docs/hsds-import.md.
"""
