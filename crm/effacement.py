"""Tools for the apps' personal-data contributions (``crm.extensions.DonneesPersonnelles``).

A person is found in free text by ``Mentions``: their names, email and phones in the spellings
people actually write (any case, accents or not, « Jean-Pierre » or « Jean Pierre », a phone as
``06 12 34 56 78``, ``06.12.34.56.78`` or ``+33 6 12 34 56 78``). ``nettoyer`` rewrites the rows
an app keeps about them, *and* the django-simple-history rows of those objects (old values and
change reasons included) in place, with ``update()``: no new history row is written that would
hold the person again, and the history's dates and authors stay for the ISO records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import models
from django.db.models import DateField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate

from crm.texte import sans_accents

TRES_ANCIEN = date(1900, 1, 1)
# Between the digits of a phone, or the parts of a name: what people type (no regex escapes
# inside the brackets, so the same pattern runs in Python, SQLite and PostgreSQL).
_SEPARATEUR_TEL = "[ ./\u00a0-]*"
_SEPARATEUR_NOM = "[ _.\u00a0-]+"


def _lettre(c: str) -> str:
    """One character of a name, matching its case and accent variants."""
    base = sans_accents(c)
    variantes = {c.lower(), c.upper(), base.lower(), base.upper()} - {""}
    if not c.isalpha():
        return _SEPARATEUR_NOM if c in " -_.'\u00a0" else re.escape(c)
    return "[" + "".join(sorted(variantes)) + "]" if len(variantes) > 1 else re.escape(c)


def motif_nom(nom: str) -> str:
    return "".join(_lettre(c) for c in " ".join(nom.split()))


def motif_telephone(numero: str) -> str:
    chiffres = re.sub(r"\D", "", numero or "")
    if chiffres.startswith("0033"):
        chiffres = "0" + chiffres[4:]
    elif chiffres.startswith("33") and len(chiffres) == 11:
        chiffres = "0" + chiffres[2:]
    if len(chiffres) < 6:
        return ""
    if len(chiffres) == 10 and chiffres.startswith("0"):
        # French number: 0X…, or +33 / 0033 followed by X…, with or without « (0) ».
        prefixe = f"(0|(\\+|00){_SEPARATEUR_TEL}33{_SEPARATEUR_TEL}(\\(0\\))?){_SEPARATEUR_TEL}"
        return prefixe + _SEPARATEUR_TEL.join(chiffres[1:])
    return _SEPARATEUR_TEL.join(chiffres)


@dataclass(frozen=True)
class Mentions:
    """How one person is written. ``motif``: every mention (first name and surname alone too),
    for the rows that are about them; ``motif_sur``: only what names them and no one else (full
    name, email, phones), for a sweep of every table."""

    motif: str
    motif_sur: str

    @classmethod
    def de(cls, *, prenom: str = "", nom: str = "", emails: Iterable[str] = (), telephones=()):
        prenom, nom = " ".join((prenom or "").split()), " ".join((nom or "").split())
        surs = [motif_telephone(t) for t in telephones if t]
        surs += [re.escape(e.strip()) for e in emails if e and e.strip()]
        if prenom and nom:
            surs += [
                motif_nom(prenom) + _SEPARATEUR_NOM + motif_nom(nom),
                motif_nom(nom) + _SEPARATEUR_NOM + motif_nom(prenom),
            ]
        surs = [s for s in surs if s]
        # Parts shorter than 3 letters would erase syllables of unrelated words.
        seuls = [motif_nom(p) for p in (prenom, nom) if len(p) >= 3]
        if nom and len(nom) < 3 and not prenom:
            seuls.append(motif_nom(nom))
        return cls(motif=_alternative(surs + seuls), motif_sur=_alternative(surs))

    def avec(self, litteraux: Iterable[str | None]) -> Mentions:
        """The same, plus literal strings an app knows name the person in its own rows (the IP
        address they signed from…)."""
        ajouts = [re.escape(t) for t in litteraux if t and len(t) >= 3]
        if not ajouts:
            return self
        return Mentions(
            motif="|".join(filter(None, [self.motif, _alternative(ajouts)])),
            motif_sur=self.motif_sur,
        )

    def remplacer(self, valeur: Any, remplacement: str, *, sur: bool = False) -> Any:
        """``valeur`` (text, or JSON: lists and dicts walked) with every mention replaced."""
        motif = self.motif_sur if sur else self.motif
        if not motif:
            return valeur
        if isinstance(valeur, str):
            return re.sub(motif, remplacement, valeur, flags=re.IGNORECASE)
        if isinstance(valeur, list):
            return [self.remplacer(v, remplacement, sur=sur) for v in valeur]
        if isinstance(valeur, dict):
            return {
                self.remplacer(k, remplacement, sur=sur): self.remplacer(v, remplacement, sur=sur)
                for k, v in valeur.items()
            }
        return valeur


def _alternative(motifs: list[str]) -> str:
    # Longest first: the full name goes before the surname it contains.
    return "|".join(f"({m})" for m in sorted(set(motifs), key=len, reverse=True))


TEXTE = (models.CharField, models.TextField, models.JSONField)


def champs_texte(modele) -> list[models.Field]:
    """The model's text and JSON columns (choices, keys and file paths are not free text)."""
    return [
        f
        for f in modele._meta.concrete_fields
        if isinstance(f, TEXTE)
        and not f.primary_key
        and not f.choices
        and not isinstance(f, models.FileField)
    ]


def nettoyer(
    qs: models.QuerySet,
    *,
    mentions: Mentions,
    remplacement: str,
    valeurs: Mapping[str, Any] | None = None,
    sur: bool = False,
) -> list[int]:
    """Set ``valeurs`` and replace the person's mentions in every text column of ``qs``'s rows
    and of their history rows. Returns the primary keys of the rows."""
    modele = qs.model
    pks = list(qs.values_list("pk", flat=True))
    _reecrire(modele._default_manager.filter(pk__in=pks), mentions, remplacement, valeurs, sur)
    historique = getattr(modele, "history", None)
    if historique is not None and pks:
        h_modele = historique.model
        noms = {f.name for f in h_modele._meta.concrete_fields}
        h_valeurs = {k: v for k, v in (valeurs or {}).items() if k in noms}
        pk_nom = modele._meta.pk.name
        qs_h = h_modele._default_manager.filter(**{f"{pk_nom}__in": pks})
        _reecrire(qs_h, mentions, remplacement, h_valeurs, sur)
    return pks


def _reecrire(qs, mentions, remplacement, valeurs, sur) -> None:
    champs = [f.attname for f in champs_texte(qs.model) if f.attname not in (valeurs or {})]
    for ligne in qs.values("pk", *champs):
        pk = ligne.pop("pk")
        nouvelles = dict(valeurs or {})
        for nom, valeur in ligne.items():
            if valeur:
                propre = mentions.remplacer(valeur, remplacement, sur=sur)
                if propre != valeur:
                    nouvelles[nom] = propre
        if nouvelles:
            qs.model._default_manager.filter(pk=pk).update(**nouvelles)


def derniere_date(modele, champ: str, *, tronquer: bool = False, lien: str = "organisation"):
    """The latest ``champ`` of ``modele``'s rows for the outer organisation, never NULL (for
    ``DonneesPersonnelles.derniere_activite``)."""
    valeur = TruncDate(champ) if tronquer else champ
    sous_requete = (
        modele.objects.filter(**{lien: OuterRef("pk")})
        .order_by()
        .values(lien)
        .annotate(m=Max(valeur))
        .values("m")[:1]
    )
    # Each term is made non-null: SQLite's scalar MAX() is NULL as soon as one argument is.
    return Coalesce(Subquery(sous_requete, output_field=DateField()), Value(TRES_ANCIEN))


def emails_lies(modele, pks: Iterable[Any]):
    """The stored emails about these objects (a quote sent, a gérant told of a question…)."""
    from django.contrib.contenttypes.models import ContentType

    from crm.models import EmailEnvoye

    return EmailEnvoye.objects.filter(
        content_type=ContentType.objects.get_for_model(modele),
        object_id__in=[str(pk) for pk in pks],
    )


def nettoyer_emails(qs, *, mentions: Mentions, remplacement: str, raison: str) -> None:
    """Emails kept for the records, without the person: mentions replaced (recipients, subject,
    bodies, history), and, for those addressed to them, the attachments (the quote PDF names
    them) deleted from the disk and any email still waiting abandoned — never sent to an
    erased person."""
    from django.conf import settings

    from crm.models import StatutEmail

    for email in qs:
        adresses = email.destinataires + "\n" + email.copie
        valeurs: dict[str, Any] = {}
        if mentions.remplacer(adresses, "") != adresses or any(
            mentions.remplacer(p, "") != p for p in email.pieces_jointes
        ):
            for piece in email.pieces_jointes:
                if piece.get("chemin"):
                    (Path(settings.MEDIA_ROOT) / piece["chemin"]).unlink(missing_ok=True)
            valeurs["pieces_jointes"] = []
            if email.statut != StatutEmail.ENVOYE:
                valeurs["statut"] = StatutEmail.ABANDONNE
                valeurs["erreur"] = (email.erreur + "\n" + raison).strip()
        nettoyer(
            qs.model.objects.filter(pk=email.pk),
            mentions=mentions,
            remplacement=remplacement,
            valeurs=valeurs,
        )
