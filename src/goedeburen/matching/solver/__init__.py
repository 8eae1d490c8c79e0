"""The session-assignment solver ("Magic Mix"): plain dataclasses in, a placement out.

Pure Python and HiGHS; it imports nothing of Django, so anyone can run it on their own
instances (`goedeburen assign`). The format is in docs/development.md.
"""

from .baselines import first_come_first_served, random_serial_dictatorship
from .check import check_rules, figures
from .instance import (
    Instance,
    InstanceError,
    Participant,
    Round,
    Rules,
    Session,
    instance_to_json,
    parse_instance,
)
from .solve import FEASIBLE, INFEASIBLE, OPTIMAL, Result, Unplaced, solve

__all__ = [
    "FEASIBLE",
    "INFEASIBLE",
    "OPTIMAL",
    "Instance",
    "InstanceError",
    "Participant",
    "Result",
    "Round",
    "Rules",
    "Session",
    "Unplaced",
    "check_rules",
    "figures",
    "first_come_first_served",
    "instance_to_json",
    "parse_instance",
    "random_serial_dictatorship",
    "solve",
]
