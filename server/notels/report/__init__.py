"""Emitters for `notels check`: text, json, github, sarif. Each is a small pure function."""

from notels.report.emitters import EMITTERS
from notels.report.located import LocatedFinding, locate

__all__ = ["EMITTERS", "LocatedFinding", "locate"]
