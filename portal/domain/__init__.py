"""The portal's rules as plain functions and enums (docs/rules.md).

Nothing here imports Flask, SQLAlchemy or reads the clock: every function takes the date it
needs, so a rule is tested by a table of cases and reads like the clause it implements.
"""
