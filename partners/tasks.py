"""Thin Celery tasks of the partnership: each calls one service and is safe to run twice."""

from celery import shared_task

from partners import rollups, services


@shared_task(name="partners.tasks.remind_agreement_expiry", time_limit=120)
def remind_agreement_expiry() -> int:
    """Daily: 90 and 30 days before an agreement ends, mail the agency managers (once per step)."""
    return services.agreement_expiry_remind()


@shared_task(name="partners.tasks.roll_up_figures", time_limit=600)
def roll_up_figures() -> int:
    """Every few minutes: count the new handoff events into the dashboard's monthly figures."""
    return rollups.figures_roll_up()
