"""Why someone could not be placed, in the organiser's language.

The solver gives the reason as a code with figures (`solver.reasons.why`, stored with the
run); this puts it into words with the titles of the rounds and sessions.
"""

from django.utils.translation import gettext, ngettext

from goedeburen.registration.enums import AttendingRole

from .building import pk

_GROUPS = dict(AttendingRole.choices)


def unplaced_reason(why: dict | None, *, rounds: dict, sessions: dict, fallback: str = "") -> str:
    """Return `why` as a sentence; `rounds` and `sessions` map primary keys to objects."""
    if not why:
        return fallback

    def title(objects, solver_id):
        found = objects.get(pk(solver_id))
        return str(found.t.title) if found is not None else solver_id

    code = why["code"]
    group = str(_GROUPS.get(why.get("group"), why.get("group", "")))
    if code == "no_capacity":
        return gettext(
            "Every seat of %(round)s is taken: %(seats)d seats for %(attending)d participants."
        ) % {**why, "round": title(rounds, why["round"])}
    if code == "time_limit":
        return gettext(
            "The time limit ended before a session of %(round)s was found for them: run the "
            "assignment again with more time."
        ) % {"round": title(rounds, why["round"])}
    if code == "solver_stopped":
        return gettext(
            "The solver stopped before a session of %(round)s was found for them, without "
            "reaching its time limit: please report this to the developers."
        ) % {"round": title(rounds, why["round"])}
    if code.startswith("fixed_"):
        values = {"session": title(sessions, why["session"]), "group": group}
        if code == "fixed_round":
            return gettext(
                "The session they are pinned to, %(session)s, is not a session of %(round)s."
            ) % {**values, "round": title(rounds, why.get("round"))}
        return {
            "fixed_full": gettext(
                "The session they are pinned to, %(session)s, is full with other pinned people."
            ),
            "fixed_topic": gettext(
                "The session they are pinned to, %(session)s, repeats a topic they already have."
            ),
            "fixed_mix": gettext(
                "The session they are pinned to, %(session)s, would hold too many people of the "
                "group “%(group)s”."
            ),
            "fixed_spread": gettext(
                "The session they are pinned to, %(session)s, would spread the group "
                "“%(group)s” unevenly."
            ),
        }.get(
            code, gettext("The session they are pinned to, %(session)s, cannot take them.")
        ) % values
    parts = []
    counts = {key: why.get(key, 0) for key in ("full", "topic", "mix", "spread", "other")}
    if counts["full"]:
        parts.append(ngettext("%(n)d is full", "%(n)d are full", counts["full"]))
    if counts["topic"]:
        parts.append(
            ngettext(
                "%(n)d is on a topic they already have",
                "%(n)d are on a topic they already have",
                counts["topic"],
            )
        )
    if counts["mix"]:
        parts.append(
            ngettext(
                "%(n)d would hold more than %(share)d%% of the group “%(group)s”",
                "%(n)d would hold more than %(share)d%% of the group “%(group)s”",
                counts["mix"],
            )
        )
    if counts["spread"]:
        parts.append(
            ngettext(
                "%(n)d would spread the group “%(group)s” unevenly",
                "%(n)d would spread the group “%(group)s” unevenly",
                counts["spread"],
            )
        )
    if counts["other"]:
        parts.append(
            ngettext(
                "%(n)d could take them only if others moved against the rules",
                "%(n)d could take them only if others moved against the rules",
                counts["other"],
            )
        )
    share = round(100 * why.get("share", 0))
    details = "; ".join(
        part % {"n": n, "share": share, "group": group}
        for part, n in zip(parts, [v for v in counts.values() if v], strict=True)
    )
    return gettext("No session of %(round)s can take them: %(details)s.") % {
        "round": title(rounds, why["round"]),
        "details": details,
    }
