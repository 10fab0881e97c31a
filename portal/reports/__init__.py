"""Monthly distributor reports and the violations found in them (docs/rules.md §8): inventory,
sell-through and outlets, by form or by the portal's Excel template; head office locks a quarter's
reports and may dismiss a violation with a reason."""
