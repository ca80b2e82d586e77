"""The "suggest a correction" page: a form about one public record, filed in the curators'
queue (``archive.corrections``). The record pages only link here, so they stay cacheable;
this page, which carries a CSRF token, is never cached."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from archive import corrections
from archive.words import issue_name

from .common import visible


def _target(request: HttpRequest):
    """The record named by ``?on=kind:id``, if this reader may see it."""
    kind, _, pk = request.GET.get("on", "").partition(":")
    model = corrections.KINDS.get(kind)
    if model is None or not pk.isdigit():
        raise Http404("Say which record the correction is about.")
    obj = visible(request, model.objects.all()).filter(pk=int(pk)).first()
    if obj is None:
        raise Http404("No such record.")
    return obj


def _label(obj) -> str:
    if obj._meta.model_name == "issue":
        return issue_name(obj)
    return getattr(obj, "title", None) or getattr(obj, "name", None) or str(obj)


def suggest_correction(request: HttpRequest) -> HttpResponse:
    obj = _target(request)
    context = {"target": obj, "label": _label(obj), "kind": obj._meta.verbose_name}
    status = 200
    if request.method == "POST":
        form = corrections.CorrectionForm(request.POST)
        if corrections.rate_limited(request):
            context["limited"] = True
            status = 429
        elif form.is_valid():
            corrections.correction_submit(
                target=obj,
                page=obj.get_absolute_url(),
                message=form.cleaned_data["message"],
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
            )
            corrections.count_sent(request)
            thanks = reverse("archive:correction-thanks")
            return HttpResponseRedirect(f"{thanks}?{urlencode({'on': request.GET['on']})}")
        else:
            status = 400
            if form.is_spam():
                corrections.count_sent(request)  # a bot's tries count against its limit
    else:
        form = corrections.CorrectionForm(initial={"started": corrections.stamp()})
    if request.method == "POST" and "started" in form.errors:
        # A fresh stamp, so that a person told "too quickly" or "expired" can send again.
        data = request.POST.copy()
        data["started"] = corrections.stamp()
        form.data = data
    context["form"] = form
    context["nav"] = ""
    response = render(request, "archive/correction_form.html", context, status=status)
    add_never_cache_headers(response)
    return response


def correction_thanks(request: HttpRequest) -> HttpResponse:
    obj = _target(request)
    response = render(
        request,
        "archive/correction_thanks.html",
        {"target": obj, "label": _label(obj), "nav": ""},
    )
    add_never_cache_headers(response)
    return response
