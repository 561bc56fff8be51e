from __future__ import annotations

app_name = "pilotage"
urlpatterns: list = []
