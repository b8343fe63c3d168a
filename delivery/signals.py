"""What the delivery service asks of the apps above it without importing them (they import it).

A receiver is connected in its app's ``AppConfig.ready``.
"""

from django.dispatch import Signal

# Sent by the problems sweep with ``now``; a receiver puts its own problems on the queue (once each)
# and returns how many are new. Complaints answer it with their overdue first responses.
problems_sweep_requested = Signal()

# Sent before an order goes onto a third-party courier's run; a receiver refuses by raising
# ``NotAllowed``. The partnership answers it: article 7 asks for a written consent.
third_party_transfer_requested = Signal()

# Sent inside Imigrasi's decision "found" on a lost passport case, with ``case``, ``actor`` and
# ``at``: the counter puts a passport reported from a batch back in that batch's handover.
lost_passport_found = Signal()
