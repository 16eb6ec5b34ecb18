"""Which declaration wins where several could apply: rules of the language that the checker (to
report) and the lowering (to build the model) both need, so that they cannot disagree."""
from __future__ import annotations

__all__ = ["PARTY_ROLES", "cell_calendar"]

#: the roles a party may play in an annex (`plays …`): provider (owes the services: ИСПОЛНИТЕЛЬ), vendor
#: (the manufacturer), customer; a role no party plays is named by the Договор's own designation
PARTY_ROLES = ("provider", "vendor", "customer")


def cell_calendar(cell: str | None, row: str | None, column: str | None, table: str | None) -> str | None:
    """Which calendar a target cell counts on: its own `on`, else its row's `on … for`, else its
    column's (tier's), else the table's."""
    return cell or row or column or table
