"""The demo: every part's demo data assembled into one instance to show and try out.

The top floor: it imports each part's demo module (core's organisations and staff, the
persons' families, the catalogue's offers, the cases), and no part imports it.
"""
