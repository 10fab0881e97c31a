"""Compliance both ways (docs/rules.md §10): per agreement and quarter, the distributor's figures
and head office's own towards it, kept current in one table, shown as numbers, tables and charts."""
