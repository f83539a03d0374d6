"""Background work of the appeal loop, run after commit by the worker."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.core.tasks import linli_task


@linli_task
def text_reporters(appeal_id: str, reporter_pk: int, purpose: str, close_count: int) -> bool:
    """Text the reporter of appeal `reporter_pk` about appeal `appeal_id` (the same one, or
    the one it was merged into). Phone numbers are read here from the encrypted column,
    never passed through the task queue. Returns whether a text went out."""
    from django.conf import settings

    from linli.appeals import rating
    from linli.appeals.choices import Status
    from linli.appeals.models import Appeal
    from linli.notices import channels

    appeal = Appeal.objects.filter(public_id=appeal_id).first()
    reporter = Appeal.objects.filter(pk=reporter_pk).first()
    if appeal is None or reporter is None or not reporter.reporter_phone:
        return False
    with override(settings.LANGUAGE_CODE):
        if purpose == "closed":
            # A retry after the resident already rated must not send a dead link.
            if appeal.status != Status.CLOSED or appeal.close_count != close_count:
                return False
            text = _("Your appeal “%(t)s” (%(ref)s) has been handled: %(result)s Please rate it: %(url)s") % {
                "t": appeal.title,
                "ref": appeal.reference,
                "result": appeal.result[:120],
                "url": rating.rating_url(appeal),
            }
        else:
            return False
    return bool(channels.send_text(channels.Text(phone=reporter.reporter_phone, text=text)))


@linli_task
def supervise_appeals() -> dict:
    """The periodic supervision scan (linli/appeals/supervision.py)."""
    from linli.appeals.supervision import scan

    return scan().as_dict()
