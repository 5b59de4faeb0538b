"""The public finder ("Finn hjelp"): search, filters, the guided path, offer pages, the map.

Parents use their own words, so the search is forgiving (`words`, `search`). Only published
offers are found (`Offer.objects.published()`); offers not verified for six months are still
shown, with a flag (`cards`).

Every function here does its work in a constant number of queries, whatever the number of
offers, so pages built on them stay fast as the catalogue grows.
"""
