"""Persons and their guardians: registering them, finding them, the staff pages about them.

The models stay in core (Person, GuardianRelation), the ground floor every part stands on;
this part is what staff do with them, above the privacy layer that decides and audits every
read and change.
"""
