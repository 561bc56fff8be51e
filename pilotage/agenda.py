"""Each user's calendar feed (iCalendar, RFC 5545) for Outlook, Google or Apple calendars.

All-day events: relances due, complaint deadlines, key clients due a meeting. The gérant's
feed holds the whole firm's; a consultant's their own clients and complaints, with the same
filters as their weekly digest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from icalendar import Calendar, Event

from crm.roles import est_gerant
from crm.selectors import clients_cles_a_voir
from devis.selectors import relance_de, relances_a_venir
from pilotage.models import JetonCalendrier
from reclamations.models import Reclamation
from reclamations.selectors import reclamations_visibles

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
    from crm import jetons
    from crm.roles import est_consultant

    trouve = (
        JetonCalendrier.objects.filter(empreinte=jetons.empreinte(jeton_clair))
        .select_related("user")
        .first()
    )
    if trouve is None or not trouve.user.is_active:
        return None
    if not (est_gerant(trouve.user) or est_consultant(trouve.user)):
        return None
    return trouve.user


def _reclamations(user):
    return reclamations_visibles(
        user, parmi=Reclamation.objects.ouvertes().select_related("organisation")
    )


def _evenement(uid: str, jour: date, titre: str, description: str, url: str, stamp) -> Event:
    e = Event()
    e.add("uid", f"{uid}@{DOMAINE_UID}")
    e.add("dtstamp", stamp)
    e.add("dtstart", jour)
    e.add("dtend", jour + timedelta(days=1))
    e.add("summary", titre)
    e.add("description", description)
    if url:
        e.add("url", settings.SITE_URL + url)
    e.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
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

    for d in relances_a_venir(horizon, user=user):
        contact = (
            f"\nContact : {d.contact.nom_complet} {d.contact.telephone_principal}"
            if d.contact and relance_de(d) is not None
            else ""
        )
        cal.add_component(
            _evenement(
                f"relance-{d.pk}",
                d.echeance,
                f"Relance du devis {d.numero} — {d.organisation}"
                + (" (en retard)" if d.echeance < le else ""),
                f"Devis envoyé le {d.envoye_le:%d/%m/%Y} : {d.objet}" + contact,
                d.get_absolute_url(),
                stamp,
            )
        )
    for r in _reclamations(user).filter(Q(accuse_le__isnull=True) | Q(repondue_le__isnull=True)):
        if r.accuse_le is None:
            cal.add_component(
                _evenement(
                    f"reclamation-accuse-{r.pk}",
                    r.accuse_du_le,
                    f"Accusé de réception dû — {r.numero} — {r.organisation}",
                    r.description[:300],
                    r.get_absolute_url(),
                    stamp,
                )
            )
        if r.repondue_le is None:
            cal.add_component(
                _evenement(
                    f"reclamation-reponse-{r.pk}",
                    r.reponse_due_le,
                    f"Réponse due — {r.numero} — {r.organisation}",
                    r.description[:300],
                    r.get_absolute_url(),
                    stamp,
                )
            )
    for org in clients_cles_a_voir(le, user=user):
        # Never met: due today. Otherwise on the day the meeting falls due.
        jour = org.point_du_le or le
        cal.add_component(
            _evenement(
                f"client-cle-{org.pk}",
                jour,
                f"Point à prévoir avec {org.raison_sociale} (client clé)",
                (
                    f"Dernier rendez-vous le {org.dernier_point:%d/%m/%Y}"
                    if org.dernier_point
                    else "Aucun rendez-vous enregistré"
                )
                + f" ; un point tous les {org.frequence_point_jours} jours.",
                org.get_absolute_url(),
                stamp,
            )
        )
    return cal.to_ical()
