"""Each user's calendar feed (iCalendar, RFC 5545) for Outlook, Google or Apple calendars.

The frame: the token that opens the feed, and the feed built from every app's entries
(``crm.extensions.SourceAgenda``: relances due, complaint deadlines, key clients due a
meeting…), each source showing ``user`` what its own pages show them (the gérant the whole
firm's, a consultant their own clients and complaints, as their weekly digest).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from icalendar import Calendar, Event, Todo

from crm import extensions
from crm.roles import est_gerant
from pilotage.models import JetonCalendrier

HORIZON_JOURS = 366
DOMAINE_UID = "iod-crm"


def jeton_de(user) -> JetonCalendrier:
    """The user's feed token, created on first use."""
    jeton, _ = JetonCalendrier.objects.get_or_create(user=user)
    return jeton


def renouveler(user) -> JetonCalendrier:
    """A new link: the old one stops working at once."""
    jeton = jeton_de(user)
    from crm import jetons

    jeton.nonce = jetons.nouveau_nonce()
    jeton.save()
    return jeton


def utilisateur_du_jeton(jeton_clair: str):
    """The active member of the firm this token belongs to, or None."""
    from crm.public import objet_par_jeton
    from crm.roles import est_consultant

    trouve = objet_par_jeton(
        JetonCalendrier.objects.select_related("user"), jeton_clair, champ="empreinte"
    )
    if trouve is None or not trouve.user.is_active:
        return None
    if not (est_gerant(trouve.user) or est_consultant(trouve.user)):
        return None
    return trouve.user


def _composant(entree: extensions.EntreeAgenda, stamp) -> Event | Todo:
    """An all-day event (a reminder, not a busy slot), or a to-do due that day."""
    e = Todo() if entree.a_faire else Event()
    e.add("uid", f"{entree.uid}@{DOMAINE_UID}")
    e.add("dtstamp", stamp)
    if entree.a_faire:
        e.add("due", entree.jour)
    else:
        e.add("dtstart", entree.jour)
        e.add("dtend", entree.jour + timedelta(days=1))
    e.add("summary", entree.titre)
    e.add("description", entree.description)
    if entree.url:
        e.add("url", settings.SITE_URL + entree.url)
    if not entree.a_faire:
        e.add("transp", "TRANSPARENT")
    return e


def calendrier(user, *, le: date) -> bytes:
    """The feed of ``user`` as of the day ``le``."""
    stamp = datetime.combine(le, datetime.min.time(), tzinfo=UTC)
    cal = Calendar()
    cal.add("prodid", "-//IOD//CRM PROC-020//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "IOD CRM — échéances")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    horizon = le + timedelta(days=HORIZON_JOURS)

    for source in extensions.sources_agenda.tous():
        for entree in source.fonction(user, le=le, horizon=horizon):
            cal.add_component(_composant(entree, stamp))
    return cal.to_ical()
