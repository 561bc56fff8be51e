"""Access control as a matrix (DESIGN §7): every URL of the project, for every role.

The test walks the project's URL list itself, so a view added without an entry in ``ACCES``
fails the suite (« vue sans règle d'accès »). Each entry says what each role gets:

- anonymous: sent to the login page, except the public token pages and the login and
  password-reset pages;
- a consultant: the pages of every member, 403 on the gérant's pages, their own missions and
  the complaints they received;
- a consultant on another's mission: 404 for that mission and what hangs off it (the object is
  found through an access helper, so it does not exist for them);
- the gérant: everything (200, or 302/405 for pages that redirect or take only POST).

Denials hold for POST as for GET, and a guessed id is a 404, never another client's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import Monde, construire_monde

LOGIN = "login"  # a redirect to the login page
ROLES = ("anonyme", "consultant", "autre", "gerant")
REFUS = {LOGIN, 403, 404}


@dataclass(frozen=True)
class Regle:
    """Expected status of a GET for each role, and the object the URL's ``pk`` designates."""

    anonyme: object
    consultant: object
    autre: object
    gerant: object
    objet: str = ""
    # POST statuses that differ from the GET ones (by default a denial on GET is one on POST).
    post: dict = field(default_factory=dict)

    def attendu(self, role: str):
        return getattr(self, role)


def membre(objet: str = "", gerant=200, consultant=200) -> Regle:
    return Regle(LOGIN, consultant, consultant, gerant, objet)


def gerant(objet: str = "", statut=200) -> Regle:
    return Regle(LOGIN, 403, 403, statut, objet)


def gerant_post(objet: str = "") -> Regle:
    """A gérant's action taking only POST: its GET is 405 for the gérant."""
    return gerant(objet, statut=405)


def assigne(objet: str = "mission", statut=200) -> Regle:
    """Only the consultant the object belongs to (their mission, the complaint they received,
    the action they own) and the gérant; another consultant does not find it (404)."""
    return Regle(LOGIN, statut, 404, statut, objet)


def public(objet: str) -> Regle:
    """Open without an account; the token is the key (a wrong one is 404)."""
    return Regle(200, 200, 200, 200, objet)


def libre() -> Regle:
    return Regle(200, 200, 200, 200)


# The table. A new view needs its line here, written from DESIGN §7.
ACCES: dict[str, Regle] = {
    # --- Accounts
    "login": Regle(200, 302, 302, 302),  # signed-in users are sent on to the app
    "logout": Regle(405, 405, 405, 405),  # POST only (Django 5)
    "password_reset": libre(),
    "password_reset_done": libre(),
    "password_reset_confirm": libre(),  # a bad link shows « lien invalide »
    "password_reset_complete": libre(),
    "password_change": membre(),
    "password_change_done": membre(),
    # The second factor: setting it up (any signed-in member); the code step after the
    # password sends a user without a device (or already verified) on to the app.
    "double_facteur": membre(),
    "double_facteur_verification": Regle(LOGIN, 302, 302, 302),
    # --- Core: consultants read every client and request, write exchanges
    "accueil": membre(),
    "crm:organisations": membre(),
    "crm:organisation": membre("organisation"),
    "crm:organisation_creer": gerant(),
    "crm:organisation_modifier": gerant("organisation"),
    "crm:contact_creer": gerant("organisation"),
    "crm:interaction_creer": membre("organisation"),
    "crm:demandes": membre(),
    "crm:demande": membre("demande"),
    "crm:demande_creer": gerant(),
    "crm:demande_fiche": membre("demande"),
    "crm:revue": gerant("demande"),
    "crm:missions": membre(),
    "crm:mission": assigne(),
    "crm:mission_statut": assigne(statut=302),  # GET sends back to the mission
    "crm:apercu_digest": gerant(),
    "crm:entreprise": gerant(),
    # Tasks: any member adds one (on what they may see); done by its owner or the gérant
    "crm:tache_creer": membre(),
    "crm:recherche": membre(),
    "crm:tache_terminer": assigne("tache", statut=302),  # GET sends back to « Aujourd'hui »
    # --- Quotes: the gérant's alone (prices, sending); the client's page by token
    "devis:liste": gerant(),
    "devis:modele": gerant(),
    "devis:detail": gerant("devis"),
    "devis:modifier": gerant("devis", statut=302),  # a sent quote is not edited: redirect
    "devis:pdf": gerant("devis"),
    "devis:envoyer": gerant_post("devis"),
    "devis:reponse": gerant_post("devis"),
    "devis:relance": gerant_post("devis"),
    # Moving a relance: the form alone on GET (where a refusal lands without JavaScript).
    "devis:reporter_relance": gerant("devis"),
    "devis:reviser": gerant_post("devis"),
    "devis:accord": gerant("devis"),
    "devis:accord_document": gerant("devis"),
    "devis:revue_contrat": gerant("devis"),
    "devis:lancer": gerant("devis"),
    "devis:creer_depuis_demande": gerant_post("demande"),
    "devis:public": public("devis"),
    # --- Complaints: anyone records one; the receiver and the gérant handle it
    "reclamations:liste": membre(),
    "reclamations:creer": membre(),
    "reclamations:detail": assigne("reclamation"),
    "reclamations:accuser": assigne("reclamation"),
    "reclamations:qualifier": assigne("reclamation"),
    "reclamations:repondre": assigne("reclamation"),
    "reclamations:clore": assigne("reclamation"),
    "reclamations:rouvrir": gerant("reclamation"),  # reopening is the gérant's decision
    "reclamations:tableau": gerant(),
    "reclamations:action_creer": gerant("reclamation"),
    "reclamations:action_creer_seule": gerant(),
    # Corrective and preventive actions: each owner follows their own, the gérant all of them
    "reclamations:actions": membre(),
    "reclamations:action_suivre": assigne("action"),
    # --- Satisfaction: the consultant's debrief of their own missions; the survey by token
    "satisfaction:tableau": gerant(),
    "satisfaction:enquete_publique": public("enquete"),
    "satisfaction:debrief": assigne(),
    "satisfaction:demande_depuis_debrief": Regle(
        LOGIN, 405, 405, 405, "mission", post={"autre": 404}
    ),
    "satisfaction:envoyer_enquete": gerant_post("mission"),
    # --- Pilotage: the gérant's dashboards, reviews, imports and exports
    "pilotage:tableau": gerant(),
    "pilotage:revue_direction": gerant(),
    "pilotage:dossier_audit": gerant(),
    "pilotage:import": gerant(),
    "pilotage:import_apercu": gerant(statut=302),  # nothing uploaded: back to the upload
    "pilotage:import_confirmer": gerant_post(),
    "pilotage:exports": gerant(),
    "pilotage:export": gerant(),
    "pilotage:dossier_client": gerant("organisation"),
    # Each member's own calendar feed; the feed itself is reached by its token
    # Background jobs: the one who asked (here the consultant) and the gérant; others 404.
    "pilotage:travaux": membre(),
    "pilotage:travail": assigne("travail"),
    "pilotage:travail_fichier": assigne("travail"),
    "pilotage:agenda": membre(),
    "pilotage:agenda_renouveler": Regle(LOGIN, 405, 405, 405),
    "pilotage:agenda_ics": public("agenda"),
    # --- RGPD: the data controller's pages
    "rgpd:tableau": gerant(),
    "rgpd:contact": gerant("contact"),
    "rgpd:export_json": gerant("contact"),
    "rgpd:export_csv": gerant("contact"),
    "rgpd:effacer": gerant_post("contact"),
    "rgpd:opposition_contact": gerant_post("contact"),
    "rgpd:opposition_organisation": gerant_post("organisation"),
    # --- Inbound email (courrier): the gérant's mailbox
    "courrier:a_classer": gerant(),
    "courrier:a_qualifier": gerant(),
    "courrier:classer": gerant_post("message_recu"),
    "courrier:ignorer": gerant_post("message_recu"),
    "courrier:creer_demande": gerant_post("message_recu"),
    "courrier:reporter": gerant_post("message_recu"),
    "courrier:qualifier": gerant_post("devis"),
    "courrier:reprendre": gerant_post("devis"),
    "courrier:piece": gerant("piece_recue"),
    # --- The example app (tests/appli_exemple), installed by the test settings only
    "appli_exemple:notes": gerant(),
    "appli_exemple:relire": gerant_post("organisation"),
}


# --- Walking the URL list ---------------------------------------------------------------------


def _motifs(resolveur=None, espace: str = "", converters: tuple = ()):
    resolveur = resolveur or get_resolver()
    for motif in resolveur.url_patterns:
        convertisseurs = converters + tuple(getattr(motif.pattern, "converters", {}).keys())
        if isinstance(motif, URLResolver):
            if motif.namespace == "admin":
                continue  # Django's admin has its own checks (is_staff + permissions)
            ns = f"{espace}{motif.namespace}:" if motif.namespace else espace
            yield from _motifs(motif, ns, convertisseurs)
        elif isinstance(motif, URLPattern) and motif.name:
            yield f"{espace}{motif.name}", convertisseurs


def vues_du_projet() -> dict[str, tuple]:
    return dict(_motifs())


def test_every_view_has_an_access_rule():
    vues = vues_du_projet()
    sans_regle = sorted(set(vues) - set(ACCES))
    assert not sans_regle, f"vue sans règle d'accès : {', '.join(sans_regle)} (voir ACCES)"
    disparues = sorted(set(ACCES) - set(vues))
    assert not disparues, f"règle pour une vue qui n'existe plus : {', '.join(disparues)}"


# --- The world: one of each object, a mission assigned to consultant A ------------------------


def _kwargs(nom: str, convertisseurs: tuple, monde: Monde, *, pk=None, jeton=None) -> dict:
    regle = ACCES[nom]
    valeurs = {}
    for c in convertisseurs:
        if c == "pk":
            valeurs[c] = pk if pk is not None else monde.objets[regle.objet].pk
        elif c == "demande_pk":
            valeurs[c] = pk if pk is not None else monde.objets["demande"].pk
        elif c == "jeton":
            valeurs[c] = jeton or monde.jetons[regle.objet]
        elif c == "liste":
            valeurs[c] = "organisations"
        elif c == "uidb64":
            valeurs[c] = "MTIzNDU2"
        elif c == "token":
            valeurs[c] = "faux-jeton-de-reinitialisation"
        else:
            raise AssertionError(f"{nom} : paramètre d'URL inconnu « {c} » (compléter _kwargs)")
    return valeurs


def _client(role: str, users: dict) -> Client:
    client = Client()
    if role != "anonyme":
        client.force_login(users[role])
    return client


def _constat(response) -> object:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return response.status_code


@pytest.fixture
def monde(gerant, consultant, settings):
    # The world's quote was sent on a fixed date (March 2026): its client link must stay
    # readable whatever day the suite runs (the viewing expiry is tested in test_acceptation).
    settings.CRM_DEVIS_LIEN_CONSULTATION_JOURS = 100 * 365
    monde = construire_monde(gerant, consultant)
    from tests.courrier.outils import message_et_piece

    monde.objets["message_recu"], monde.objets["piece_recue"] = message_et_piece(
        devis=monde.objets["devis"]
    )
    from tests.pilotage.outils import travail_termine

    monde.objets["travail"] = travail_termine(consultant)
    return monde


@pytest.fixture
def utilisateurs(gerant, consultant, autre_consultant):
    return {"consultant": consultant, "autre": autre_consultant, "gerant": gerant}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_matches_design(role, monde, utilisateurs):
    client = _client(role, utilisateurs)
    ecarts = []
    for nom, convertisseurs in sorted(vues_du_projet().items()):
        if nom not in ACCES:
            continue  # reported by test_every_view_has_an_access_rule
        regle = ACCES[nom]
        url = reverse(nom, kwargs=_kwargs(nom, convertisseurs, monde))
        attendu = regle.attendu(role)
        obtenu = _constat(client.get(url))
        if obtenu != attendu:
            ecarts.append(f"GET {nom} ({url}) : attendu {attendu}, obtenu {obtenu}")
        attendu_post = regle.post.get(role, attendu if attendu in REFUS else None)
        if attendu_post is not None:
            obtenu_post = _constat(client.post(url, {}))
            if obtenu_post != attendu_post:
                ecarts.append(f"POST {nom} ({url}) : attendu {attendu_post}, obtenu {obtenu_post}")
    assert not ecarts, f"Rôle {role} :\n" + "\n".join(ecarts)


@pytest.mark.django_db
def test_guessed_ids_and_tokens_are_404_for_the_gerant(monde, utilisateurs):
    """Objects are found through access helpers: an id or a token that designates nothing
    visible is a 404 (never a 500, never someone else's object)."""
    client = _client("gerant", utilisateurs)
    ecarts = []
    for nom, convertisseurs in sorted(vues_du_projet().items()):
        regle = ACCES.get(nom)
        if regle is None or not regle.objet:
            continue
        if regle.gerant == 405:
            continue  # POST-only: the method is refused before any lookup
        kwargs = _kwargs(nom, convertisseurs, monde, pk=987654, jeton="x" * 43)
        obtenu = client.get(reverse(nom, kwargs=kwargs)).status_code
        if obtenu != 404:
            ecarts.append(f"{nom} : {obtenu}")
    assert not ecarts, "identifiant deviné non refusé : " + ", ".join(ecarts)


@pytest.mark.django_db
def test_public_pages_refuse_a_wrong_token_to_anonymous(monde):
    client = Client()
    for nom in ("devis:public", "satisfaction:enquete_publique", "pilotage:agenda_ics"):
        bon = client.get(reverse(nom, args=[monde.jetons[ACCES[nom].objet]]))
        assert bon.status_code == 200
        assert "no-store" in bon["Cache-Control"]
        faux = monde.jetons[ACCES[nom].objet][:-2] + "zz"
        assert client.get(reverse(nom, args=[faux])).status_code == 404


@pytest.mark.django_db
def test_admin_is_for_the_gerant_only(monde, utilisateurs):
    url = reverse("admin:index")
    assert _constat(_client("anonyme", utilisateurs).get(url)) == 302
    consultant = _client("consultant", utilisateurs).get(url)
    assert consultant.status_code == 302 and "/admin/login/" in consultant["Location"]
    assert _client("gerant", utilisateurs).get(url).status_code == 200


@pytest.mark.django_db
def test_consultant_lists_show_only_their_missions(monde, utilisateurs, autre_consultant):
    m = monde.objets["mission"]
    page_a = _client("consultant", utilisateurs).get(reverse("crm:missions"))
    page_b = _client("autre", utilisateurs).get(reverse("crm:missions"))
    assert m.get_absolute_url() in page_a.content.decode()
    assert m.get_absolute_url() not in page_b.content.decode()
    liste_b = _client("autre", utilisateurs).get(reverse("reclamations:liste")).content.decode()
    assert monde.objets["reclamation"].numero not in liste_b
