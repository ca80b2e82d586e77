"""Importers: turn text extracted from printed publications into draft archive records.

- :mod:`archive.importers.linking` finds mentions of known people, organisations and places.
- :mod:`archive.importers.text` splits extracted text into units (articles, sidebars, …).
- :mod:`archive.importers.repairs` repairs what extraction broke and logs every repair.
- :mod:`archive.importers.service` ties them together for the command and the admin.

See docs/importing.md for the curator's side.
"""
