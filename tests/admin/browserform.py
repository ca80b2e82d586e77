"""Post an admin page's form back exactly as a browser would.

Every control the HTML holds is sent, inline rows included, with the browser's own changes
to the text: a textarea's lines are joined by CRLF (HTML's form submission), and a text
input's value loses its line breaks (its value sanitisation). That is what a curator's
"Save without changing anything" posts, so it is what the faithful-save tests post.
"""

from __future__ import annotations

from html.parser import HTMLParser

SKIPPED_INPUTS = {"submit", "button", "image", "reset", "file"}
HIDDEN_LIKE = {"hidden"}


class _FormParser(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self._textarea: tuple[str, list[str]] | None = None
        self._select: dict | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
            return
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in SKIPPED_INPUTS:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((name, a.get("value", "on")))
                return
            value = a.get("value") or ""
            if kind not in HIDDEN_LIKE:
                value = value.replace("\r", "").replace("\n", "")
            self.pairs.append((name, value))
        elif tag == "textarea" and name:
            self._textarea = (name, [])
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": []}
            self._select["options"].append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._option is not None:
            self._option["text"].append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            if text.startswith("\n"):  # the parser drops one newline after <textarea>
                text = text[1:]
            text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
            self.pairs.append((name, text))
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not self._select["multiple"]:
                chosen = options[:1]
            for option in chosen:
                value = option["value"]
                if value is None:
                    value = "".join(option["text"]).strip()
                self.pairs.append((self._select["name"], value))
            self._select = None


def browser_post_data(html: str, form_id: str) -> dict[str, list[str]]:
    """The data a browser submits for the form ``form_id`` of ``html``."""
    parser = _FormParser(form_id)
    parser.feed(html)
    parser.close()
    data: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        data.setdefault(name, []).append(value)
    return data


def admin_form_data(client, url: str, model_name: str) -> dict[str, list[str]]:
    """Open the admin change page at ``url`` and return what pressing Save would post."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return browser_post_data(response.content.decode(), f"{model_name}_form")
