"""What pages share about forms: a service's refusal shown on the form it came from."""

from __future__ import annotations

from django import forms

from core.exceptions import DomainError


def form_errors_add(
    form: forms.BaseForm,
    error: DomainError,
    *,
    prefix: str = "",
    sentence: str = "always",
    skip: tuple[str, ...] = (),
) -> None:
    """Put a refusal on the form: each field's problem at its field (``prefix`` + name; a problem of
    a field the form does not have at the top, unless it is the error's own sentence), and the
    error's sentence at the top: ``sentence="always"``, or ``"unplaced"`` only when no field took a
    problem. Problems of ``skip`` fields are shown by the page itself (e.g. the signature pad)."""
    if sentence == "always":
        form.add_error(None, str(error.message))
    placed = False
    for name, problems in error.fields.items():
        if name in skip:
            continue
        key = f"{prefix}{name}"
        for problem in problems:
            if key in form.fields:
                form.add_error(key, str(problem))
                placed = True
            elif sentence == "always" and str(problem) != str(error.message):
                form.add_error(None, str(problem))
    if sentence == "unplaced" and not placed:
        form.add_error(None, str(error.message))
