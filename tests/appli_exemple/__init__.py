"""A small app installed only by the test suite (``CRM_APPLIS_SUPPLEMENTAIRES``): it contributes one
of each kind of crm/extensions.py without any line in ``crm``, ``pilotage`` or ``rgpd`` naming
it, which is what issue 17 asks a newcomer's app (invoices, emails) to be able to do."""
