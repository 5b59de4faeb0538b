"""Staff accounts: logging in with a password and a second factor, and logging out.

Above the privacy layer (every login, lock and logout is audited) and below the parts that
serve staff pages, which only ask core's decorators whether the second factor is passed.
"""
