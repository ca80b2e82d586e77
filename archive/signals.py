"""Project signals. Handlers live with their concern (e.g. search connects to these)."""

from django.dispatch import Signal

# Sent after fixtures were loaded in bulk (loaddata saves with raw=True, so per-record
# save hooks did not run): receivers rebuild derived data such as search indexes.
collection_loaded = Signal()
