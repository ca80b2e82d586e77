"""Corrections from readers: the form, its defences, and the one service that files one.

No account is needed, so the form defends itself three ways, none of which bothers a
person:

* a **honeypot**: a field labelled "leave this empty", out of sight; bots fill it in;
* a **minimum time**: the form carries a signed timestamp of when it was shown, and a
  suggestion sent sooner than :data:`MIN_SECONDS` later (or with a stale or forged stamp)
  is refused, as no person reads a page and writes a correction that fast;
* a **rate limit** per client, counted in the cache (:data:`RATE_LIMIT` suggestions per
  :data:`RATE_WINDOW` seconds), keyed by a salted hash of the address, never the address.

CSRF protection is Django's own. A suggestion is never shown publicly: it waits in the
curators' queue (``admin/archive/correction/``) until a curator acts.
"""

from __future__ import annotations

import hashlib
import time

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from archive.models import (
    Article,
    Correction,
    Event,
    Issue,
    Organisation,
    Person,
    Place,
    Publication,
)

#: What a reader may suggest a correction to, by the name used in ``?on=kind:id``.
KINDS = {
    "article": Article,
    "publication": Publication,
    "issue": Issue,
    "person": Person,
    "organisation": Organisation,
    "place": Place,
    "event": Event,
}
MIN_SECONDS = 3
MAX_AGE = 24 * 3600
RATE_LIMIT = 5
RATE_WINDOW = 3600
_SALT = "archive.corrections.form"


def stamp(now: float | None = None) -> str:
    """A signed "shown at" time for the form (a bot cannot make one up)."""
    shown = int(now if now is not None else time.time())
    return signing.TimestampSigner(salt=_SALT).sign(str(shown))


def target_param(obj) -> str:
    """``article:12``: the value of ``?on=`` for a record."""
    return f"{obj._meta.model_name}:{obj.pk}"


class CorrectionForm(forms.Form):
    message = forms.CharField(
        label="What is wrong, and what should it say?",
        min_length=10,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        help_text="For example: “The date is 1981, not 1991: see page 3 of the issue.”",
    )
    name = forms.CharField(label="Your name (optional)", max_length=200, required=False)
    email = forms.EmailField(
        label="Your email (optional)",
        required=False,
        help_text="Only if you would like an answer. It is seen by the curators and no one else.",
    )
    #: The honeypot: people never see it (and are told to leave it empty if they do).
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("This field must be left empty.", code="honeypot")
        return ""

    def clean_started(self) -> float:
        try:
            shown = int(
                signing.TimestampSigner(salt=_SALT).unsign(
                    self.cleaned_data["started"], max_age=MAX_AGE
                )
            )
        except (signing.BadSignature, ValueError) as exc:
            raise forms.ValidationError(
                "This form has expired: please reload the page and send it again.",
                code="stale",
            ) from exc
        if time.time() - shown < MIN_SECONDS:
            raise forms.ValidationError(
                "That was sent too quickly: please check it and send it again.", code="too_fast"
            )
        return shown

    def is_spam(self) -> bool:
        """A filled honeypot or a form sent too fast: refuse quietly, file nothing."""
        codes = {e.code for errors in self.errors.as_data().values() for e in errors}
        return bool(codes & {"honeypot", "too_fast"})


def client_key(request: HttpRequest) -> str:
    """A salted hash of the client's address: counts requests without keeping addresses."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    return f"archive:corrections:{digest}"


def rate_limited(request: HttpRequest) -> bool:
    """True once this client has sent :data:`RATE_LIMIT` suggestions in the window."""
    return (cache.get(client_key(request)) or 0) >= RATE_LIMIT


def count_sent(request: HttpRequest) -> None:
    key = client_key(request)
    if not cache.add(key, 1, RATE_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, RATE_WINDOW)


def correction_submit(
    *, target, page: str, message: str, name: str = "", email: str = ""
) -> Correction:
    """File a reader's suggestion about ``target`` in the curators' queue (status new)."""
    correction = Correction(
        content_type=ContentType.objects.get_for_model(type(target)),
        object_id=target.pk,
        page=page[:500],
        message=message.strip(),
        name=name.strip(),
        email=email.strip(),
    )
    correction.full_clean()
    correction.save()
    return correction


__all__ = [
    "KINDS",
    "CorrectionForm",
    "correction_submit",
    "count_sent",
    "rate_limited",
    "stamp",
    "target_param",
]
