from __future__ import annotations

app_name = "rgpd"
urlpatterns: list = []
