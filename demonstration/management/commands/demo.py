"""``python manage.py demo``: a believable year of a small French consultancy, on a fresh database.

Everything that has a service goes through it (feasibility reviews, quotes, relances, agreements,
contract reviews, launches, complaints, debriefs, surveys), in date order, so numbers, due dates
and histories are those the app itself would have produced. The daily rules R1/R2 run at each
date they fall due, then every app's rules run for today (``crm.regles.appliquer``).

Safe to call at every start (``make run``): when the database already holds organisations (or
the demo accounts), it says so and creates nothing. The data is built in one transaction, so a
failure leaves nothing behind; only what must happen outside a transaction (the gérant's email
alert for a disappointing debrief, the run of today's rules) follows the commit.

This command is an edge of the system: it is the one place of ``crm`` that imports the other
apps' services, lazily, to tell the whole story.
"""

from __future__ import annotations

import heapq
import itertools
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.utils import timezone
from simple_history.models import HistoricalRecords

from crm.calendrier import ajouter_jours_ouvres, est_jour_ouvre
from crm.exceptions import RefusMetier
from crm.historique import motiver
from crm.models import (
    Civilite,
    Contact,
    Decision,
    Demande,
    EmailEnvoye,
    Entreprise,
    Interaction,
    Mission,
    Organisation,
    Source,
    StatutMission,
    SuiteNoGo,
    TypeInteraction,
    valider_siret,
)
from crm.roles import CONSULTANT, GERANT
from crm.texte import luhn_valide, sans_accents

SEED = 2026
COMPTES = ("gerant", "consultant")

# --- Reference data --------------------------------------------------------------------------------

# key, raison sociale, secteur, adresse, code postal, ville, source, recommandée par (key),
# client clé: fréquence des points (jours), responsable ("consultant" or gérant by default).
# fmt: off
ORGANISATIONS = [
    ("merlin", "Transports Merlin & Fils", "Transport et logistique", "14 avenue Tony Garnier", "69007", "Lyon", "reseau", None, 30, None),
    ("clinique", "Clinique du Parc Monceau", "Santé", "8 rue de Prony", "75017", "Paris", "recommandation", None, 45, None),
    ("mutuelle", "Mutuelle des Artisans de Bretagne", "Assurance", "3 quai Duguay-Trouin", "35000", "Rennes", "telephone", None, 60, None),
    ("verrerie", "Verrerie Lambert", "Industrie du verre", "27 rue de Vesle", "51100", "Reims", "recommandation", "merlin", None, None),
    ("aero", "Aéro Composites Garonne", "Aéronautique", "5 chemin de la Crabe", "31700", "Blagnac", "recommandation", "clinique", None, "consultant"),
    ("metropole", "Métropole Habitat Services", "Logement social", "11 boulevard Guist'hau", "44000", "Nantes", "recommandation", "mutuelle", None, "consultant"),
    ("orphee", "Laboratoires Orphée", "Pharmacie", "40 allée de la Robertsau", "67000", "Strasbourg", "recommandation", "clinique", None, "consultant"),
    ("vauban", "Atelier Vauban Ingénierie", "Ingénierie", "62 rue Nationale", "59000", "Lille", "site_web", None, None, None),
    ("garance", "Librairies Garance", "Commerce de détail", "19 cours de l'Intendance", "33000", "Bordeaux", "reseau", None, None, None),
    ("belle_rive", "Hôtels Belle Rive", "Hôtellerie", "88 promenade des Anglais", "06000", "Nice", "email", None, None, "consultant"),
    ("chastel", "Domaine Chastel", "Viticulture", "2 rue des Tonneliers", "21200", "Beaune", "reseau", None, None, None),
    ("delorme", "Informatique Delorme Conseil", "Services numériques", "31 allée Jean Jaurès", "31000", "Toulouse", "site_web", None, None, None),
    ("marchal", "Distribution Marchal", "Grande distribution", "9 rue Serpenoise", "57000", "Metz", "telephone", None, None, None),
    ("tessier", "Assurances Tessier", "Courtage en assurance", "24 boulevard Foch", "49100", "Angers", "recommandation", "mutuelle", None, None),
    ("alize", "Fondation Alizé", "Médico-social", "150 avenue du Prado", "13008", "Marseille", "recommandation", "clinique", None, "consultant"),
    ("ciments", "Ciments du Vercors", "BTP et matériaux", "7 avenue de Romans", "26000", "Valence", "recommandation", "merlin", None, None),
    ("hydraulique", "Société Hydraulique du Dauphiné", "Industrie", "45 rue Ampère", "38000", "Grenoble", "reseau", None, None, None),
    ("pixel", "Agence Pixel & Plume", "Communication", "33 rue Oberkampf", "75011", "Paris", "site_web", None, None, "consultant"),
    ("cooperative", "Coopérative Laitière de Normandie", "Agroalimentaire", "12 rue Saint-Jean", "14000", "Caen", "reseau", None, None, None),
    ("energies", "Énergies Nouvelles d'Armor", "Énergie", "6 rue de Gouët", "22000", "Saint-Brieuc", "email", None, None, None),
    ("sologne", "Communauté de communes du Pays de Sologne", "Collectivité territoriale", "1 place de la Paix", "41200", "Romorantin-Lanthenay", "autre", None, None, None),
    ("scolaire", "Groupe Scolaire Saint-Exupéry", "Enseignement privé", "17 rue Néricault-Destouches", "37000", "Tours", "recommandation", None, None, None),
    ("fabre", "Cabinet Fabre & Associés", "Expertise comptable", "4 rue de la Loge", "34000", "Montpellier", "reseau", None, None, None),
    ("credit", "Crédit Solidaire du Centre", "Banque", "21 rue Jeanne d'Arc", "45000", "Orléans", "telephone", None, None, None),
    ("roussel", "Boulangeries Roussel", "Agroalimentaire", "58 rue du Gros-Horloge", "76000", "Rouen", "reseau", None, None, None),
]
# fmt: on

INDICATIFS = {
    "0": "04",
    "1": "05",
    "2": "03",
    "3": "05",
    "4": "02",
    "5": "03",
    "6": "03",
    "7": "01",
    "8": "04",
    "9": "01",
}

PRENOMS_F = [
    "Sophie",
    "Nathalie",
    "Isabelle",
    "Claire",
    "Émilie",
    "Julie",
    "Céline",
    "Aurélie",
    "Sandrine",
    "Valérie",
    "Hélène",
    "Marion",
    "Laure",
    "Anne",
    "Caroline",
    "Élodie",
    "Florence",
    "Mathilde",
    "Agnès",
    "Bénédicte",
    "Chloé",
    "Manon",
]
PRENOMS_M = [
    "Thomas",
    "Nicolas",
    "Julien",
    "Laurent",
    "Philippe",
    "Olivier",
    "Stéphane",
    "Christophe",
    "Sébastien",
    "Frédéric",
    "Antoine",
    "Guillaume",
    "Pierre",
    "Éric",
    "Vincent",
    "Jérôme",
    "Benoît",
    "Arnaud",
    "Hugo",
    "Marc",
    "Yann",
    "Karim",
]
NOMS = [
    "Martin",
    "Bernard",
    "Dubois",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Lefebvre",
    "Michel",
    "Garcia",
    "Bertrand",
    "Roux",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Nguyen",
    "Boyer",
    "Lemaire",
    "Duval",
    "Joly",
    "Roche",
    "Meyer",
    "Lucas",
    "Meunier",
    "Marchand",
    "Dufour",
    "Blanchard",
    "Barbier",
    "Brunet",
    "Schmitt",
    "Leroux",
    "Colin",
    "Benali",
    "Le Gall",
    "Kerouac'h",
]
FONCTIONS = [
    ("Directeur des ressources humaines", "Directrice des ressources humaines"),
    ("Responsable recrutement", "Responsable recrutement"),
    ("Chargé de mobilité interne", "Chargée de mobilité interne"),
    ("Directeur général", "Directrice générale"),
    ("Responsable formation", "Responsable formation"),
    ("Directeur des opérations", "Directrice des opérations"),
    ("Responsable qualité", "Responsable qualité"),
    ("Assistant de direction", "Assistante de direction"),
]

POSTES = [
    "directeur d'agence",
    "responsable de production",
    "cadre de santé",
    "directrice financière",
    "chef de projet informatique",
    "responsable logistique",
    "conducteur de travaux",
    "responsable commercial grands comptes",
    "responsable des achats",
    "directeur de site",
]
EVENEMENTS = [
    "un accident du travail grave sur un site",
    "l'annonce d'une restructuration",
    "l'agression d'un agent d'accueil",
    "un incendie dans l'entrepôt principal",
]
DELAIS = [
    "Sous 15 jours",
    "Avant la fin du mois",
    "Dès que possible",
    "D'ici 3 semaines",
    "Sous 48 heures",
]

RESUMES = {
    TypeInteraction.APPEL: [
        "Appel de suivi : point sur les besoins de recrutement du second semestre.",
        "Appel entrant : questions sur nos tests de personnalité et leur validation.",
        "Échange téléphonique sur le calendrier des évaluations à venir.",
        "Appel de courtoisie après la restitution ; retour positif de la direction.",
    ],
    TypeInteraction.EMAIL: [
        "Envoi de la plaquette IOD et de deux références clients du même secteur.",
        "Mail pour proposer un rendez-vous de présentation.",
        "Transmission du compte rendu de la réunion de cadrage.",
        "Réponse à une question sur la confidentialité des résultats des tests.",
    ],
    TypeInteraction.REUNION: [
        "Rendez-vous dans leurs locaux : présentation de l'offre évaluation et conseil.",
        "Point annuel : bilan des missions réalisées et perspectives pour l'année.",
        "Réunion avec la DRH : projet de mobilité interne à l'étude.",
    ],
    TypeInteraction.DEJEUNER: [
        "Déjeuner avec la direction : réorganisation envisagée, besoin d'accompagnement possible.",
        "Déjeuner de suivi ; évoque un recrutement de cadre dirigeant en fin d'année.",
    ],
    TypeInteraction.PETIT_DEJEUNER: [
        "Rencontre au petit-déjeuner du réseau d'entrepreneurs de la CCI.",
        "Petit-déjeuner du club RH : échanges sur la mobilité interne et la marque employeur.",
    ],
    TypeInteraction.VISIO: [
        "Visio de présentation de notre démarche d'évaluation.",
        "Visio : restitution intermédiaire et ajustement du planning.",
    ],
}

PARTENAIRES = [
    "Cabinet Équilibre RH (bilans de compétences)",
    "Psy-Alliance Méditerranée (soutien psychologique post-traumatique)",
]


@dataclass
class Cas:
    """The story of one request: when it came, and how far it goes."""

    issue: str  # nouvelle, qualifiee, declinee, reorientee, brouillon, annule, envoye, refuse, sans_suite, accepte, revise
    org: str
    contexte: str
    type_prestation: str
    recue_il_y_a: int
    options: dict = field(default_factory=dict)


# Accepted quotes: delays in days (envoi after the review, answer after sending, start after the
# agreement, length of the mission) or absolute targets (fin_il_y_a, debut_dans, fin_dans).
# fmt: off
CAS = [
    Cas("accepte", "merlin", "recrutement", "evaluation", 330, {"reponse": 8, "accord": "bon_commande", "debut": 7, "duree": 21, "consultant": True, "debrief": "oui", "enquetes": [(5, 10, 6, "Restitution très claire, candidats bien cernés."), (4, 9, 6, "")]}),
    Cas("accepte", "clinique", "crise", "conseil", 280, {"reponse": 5, "accord": "mail_validation", "debut": 2, "duree": 30, "debrief": "partiellement", "enquetes": [(3, 7, 4, "Bonne écoute, mais la cellule aurait dû démarrer plus tôt.")]}),
    Cas("revise", "mutuelle", "mobilite", "evaluation", 220, {"reponse": 6, "accord": "devis_signe", "debut": 10, "duree": 28, "consultant": True, "debrief": "oui", "enquetes": [(5, 9, 7, "Démarche rassurante pour nos collaborateurs.")]}),
    Cas("accepte", "verrerie", "recrutement", "evaluation", 170, {"reponse": 10, "accord": "bon_commande", "debut": 7, "duree": 14, "consultant": True, "debrief": "non", "reclamation": True, "enquetes": [(2, 4, 3, "Rapport remis en retard et incomplet sur un candidat.")]}),
    Cas("accepte", "aero", "autre", "formation", 125, {"reponse": 9, "accord": "bon_commande", "ecarts": True, "debut": 14, "duree": 35, "consultant": True, "gerant": True, "debrief": "oui", "enquetes": [(4, 8, 5, "")]}),
    Cas("accepte", "merlin", "mobilite", "conseil", 90, {"reponse": 6, "accord": "mail_validation", "debut": 7, "fin_il_y_a": 12, "debrief": "oui", "enquetes": [None]}),
    Cas("accepte", "metropole", "recrutement", "conseil", 60, {"reponse": 7, "accord": "devis_signe", "debut": 7, "fin_dans": 20, "consultant": True, "relance": True}),
    Cas("accepte", "clinique", "autre", "formation", 40, {"reponse": 10, "accord": "bon_commande", "debut_dans": 6, "duree": 14, "consultant": True, "relance": True}),
    Cas("accepte", "orphee", "recrutement", "evaluation", 25, {"reponse": 12, "accord": "mail_validation", "sans_revue": True}),
    Cas("refuse", "vauban", "recrutement", "evaluation", 260, {"reponse": 12, "motif": "Prix trop élevé", "relance": True}),
    Cas("refuse", "garance", "mobilite", "conseil", 150, {"reponse": 6, "motif": "Concurrent retenu"}),
    Cas("refuse", "belle_rive", "crise", "formation", 45, {"reponse": 15, "motif": "Projet abandonné ou reporté", "relance": True}),
    Cas("sans_suite", "chastel", "recrutement", "evaluation", 200, {"relance": True}),
    Cas("sans_suite", "delorme", "autre", "formation", 100, {"relance": True}),
    Cas("sans_suite", "marchal", "mobilite", "evaluation", 50, {}),
    Cas("envoye", "tessier", "recrutement", "evaluation", 5, {"envoi_il_y_a": 2}),
    Cas("envoye", "alize", "crise", "conseil", 12, {"envoi_il_y_a": 9}),
    Cas("envoye", "ciments", "recrutement", "conseil", 18, {"envoi_il_y_a": 15, "relance": True}),
    Cas("envoye", "hydraulique", "autre", "formation", 23, {"envoi_il_y_a": 20, "en_discussion": 8}),
    Cas("brouillon", "pixel", "recrutement", "evaluation", 4, {}),
    Cas("brouillon", "merlin", "crise", "formation", 2, {}),
    Cas("annule", "cooperative", "autre", "formation", 65, {}),
    Cas("nouvelle", "energies", "recrutement", "evaluation", 0, {}),
    Cas("nouvelle", "sologne", "mobilite", "conseil", 1, {}),
    Cas("nouvelle", "scolaire", "crise", "conseil", 6, {}),
    Cas("nouvelle", "fabre", "recrutement", "evaluation", 9, {}),
    Cas("qualifiee", "credit", "mobilite", "evaluation", 4, {}),
    Cas("qualifiee", "hydraulique", "recrutement", "evaluation", 8, {}),
    Cas("qualifiee", "garance", "autre", "formation", 15, {}),
    Cas("declinee", "fabre", "recrutement", "evaluation", 300, {"refus": "independance"}),
    Cas("declinee", "delorme", "crise", "conseil", 95, {"refus": "disponibilite"}),
    Cas("reorientee", "sologne", "mobilite", "conseil", 240, {"partenaire": 0}),
    Cas("reorientee", "alize", "crise", "conseil", 35, {"partenaire": 1}),
]
# fmt: on


# --- Helpers ---------------------------------------------------------------------------------------


def _ascii(texte: str) -> str:
    return "".join(
        c for c in sans_accents(texte, ascii_seul=True).lower() if c.isalnum() or c == "-"
    )


def _slug(texte: str) -> str:
    mots = sans_accents(texte, ascii_seul=True).lower()
    return "-".join("".join(c if c.isalnum() else " " for c in mots).split())


def _avec_cle(debut: str) -> str:
    return next(debut + str(d) for d in range(10) if luhn_valide(debut + str(d)))


def siret_aleatoire(rng: random.Random) -> str:
    """A SIRET as INSEE builds it: a Luhn-valid SIREN, then a NIC that makes the 14 digits valid."""
    while True:
        siren = _avec_cle(
            str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
        )
        siret = _avec_cle(siren + "000" + str(rng.randint(1, 4)))
        if not siret.startswith("356000000"):  # La Poste's own rule
            valider_siret(siret)
            return siret


@contextmanager
def au_nom_de(user) -> Iterator[None]:
    """History rows written meanwhile name ``user``, as the history middleware does for a request."""
    contexte = HistoricalRecords.context
    precedent = getattr(contexte, "request", None)
    contexte.request = SimpleNamespace(user=user) if user is not None else None
    try:
        yield
    finally:
        if precedent is None:
            with suppress(AttributeError):
                del contexte.request
        else:
            contexte.request = precedent


class Chronologie:
    """Steps run in date order (then in the order they were planned), whoever planned them."""

    def __init__(self) -> None:
        self._file: list[tuple[date, int, Callable[[], object]]] = []
        self._compteur = itertools.count()
        self.courant: date | None = None

    def planifier(self, le: date, etape: Callable[[], object]) -> None:
        if self.courant is not None and le < self.courant:
            le = self.courant
        heapq.heappush(self._file, (le, next(self._compteur), etape))

    @property
    def jour(self) -> date:
        """The day of the step being run (read by the steps only)."""
        if self.courant is None:
            raise RuntimeError("Aucune étape de la chronologie n'est en cours.")
        return self.courant

    def derouler(self) -> None:
        while self._file:
            le, _, etape = heapq.heappop(self._file)
            self.courant = le
            etape()


# --- The command -----------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Remplit une base vide avec une année de démonstration (organisations, demandes, devis, "
        "réclamations, satisfaction) et crée les comptes « gerant » et « consultant »."
    )

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        if Organisation.objects.exists() or User.objects.filter(username__in=COMPTES).exists():
            self.stdout.write("Des données existent déjà : rien n'est créé.")
            return

        debut_chrono = time.monotonic()
        self.rng = random.Random(SEED)
        self.aujourdhui = timezone.localdate()
        self.debriefs_differes: list[tuple] = []

        try:
            with transaction.atomic():
                mots_de_passe = self._creer_comptes()
                with au_nom_de(self.gerant):
                    self._identite()
                    self._organisations()
                    self._contacts()
                    self._interactions()
                    self.chrono = Chronologie()
                    self.objets: dict[int, tuple[str, int]] = {}
                    for cas in CAS:
                        self._raconter(cas)
                    self._reclamations()
                    self.chrono.derouler()
        except Exception as exc:
            message = (
                exc.message if isinstance(exc, RefusMetier) else f"{exc.__class__.__name__} : {exc}"
            )
            raise CommandError(
                f"La création des données de démonstration a échoué ({message}). "
                "Rien n'a été enregistré ; relancez avec --traceback pour le détail."
            ) from exc

        self._afficher_comptes(mots_de_passe)

        # After the commit: these send email, which is never done inside a transaction.
        avertissements = self._debriefs_avec_alerte()
        from crm import regles

        resultat = regles.appliquer(self.aujourdhui)
        avertissements += [f"Règle en erreur — {e}" for e in resultat.get("erreurs", [])]

        self._afficher_bilan(resultat, time.monotonic() - debut_chrono)
        for a in avertissements:
            self.stderr.write(f"Attention : {a}")

    # --- Accounts and identity --------------------------------------------------------------------

    def _creer_comptes(self) -> dict[str, str]:
        User = get_user_model()
        mots_de_passe = {nom: secrets.token_urlsafe(12) for nom in COMPTES}
        self.gerant = User.objects.create_user(
            "gerant",
            email="dominique.raczy@iod.example",
            password=mots_de_passe["gerant"],
            first_name="Dominique",
            last_name="Raczy",
            is_staff=True,
        )
        self.gerant.groups.add(Group.objects.get(name=GERANT))
        self.consultant = User.objects.create_user(
            "consultant",
            email="camille.bertin@iod.example",
            password=mots_de_passe["consultant"],
            first_name="Camille",
            last_name="Bertin",
        )
        self.consultant.groups.add(Group.objects.get(name=CONSULTANT))
        return mots_de_passe

    def _identite(self) -> None:
        entreprise = Entreprise.courante()
        entreprise.siret = entreprise.siret or siret_aleatoire(self.rng)
        entreprise.capital = entreprise.capital or "10 000 €"
        entreprise.telephone = entreprise.telephone or "01 42 60 18 75"
        entreprise.site_web = entreprise.site_web or "https://www.iod.example"
        entreprise.signataire = "Dominique Raczy, gérant"
        motiver(entreprise, "Données de démonstration")
        entreprise.save()

    # --- Dates ---------------------------------------------------------------------------------------

    def jour(self, il_y_a: int) -> date:
        """The working day ``il_y_a`` days ago (or the one before, over a weekend or holiday)."""
        d = self.aujourdhui - timedelta(days=il_y_a)
        while not est_jour_ouvre(d):
            d -= timedelta(days=1)
        return d

    def borne(self, d: date) -> date:
        return min(d, self.aujourdhui)

    # --- Organisations, contacts, interactions ---------------------------------------------------------

    def _organisations(self) -> None:
        self.orgs: dict[str, Organisation] = {}
        for (
            cle,
            nom,
            secteur,
            adresse,
            cp,
            ville,
            source,
            par,
            frequence,
            responsable,
        ) in ORGANISATIONS:
            org = Organisation.objects.create(
                raison_sociale=nom,
                siret=siret_aleatoire(self.rng),
                secteur=secteur,
                adresse=adresse,
                code_postal=cp,
                ville=ville,
                telephone=self._telephone(cp),
                site_web=f"https://www.{_slug(nom)}.example.fr",
                source=source,
                recommande_par=self.orgs[par] if par else None,
                recommande_par_personne=(
                    "Me Jeanne Carrel, avocate en droit social"
                    if source == Source.RECOMMANDATION and not par
                    else ""
                ),
                cle=frequence is not None,
                frequence_point_jours=frequence,
                responsable=self.consultant if responsable == "consultant" else self.gerant,
                ne_pas_prospecter=cle == "roussel",
                notes="Client historique, très attaché aux restitutions orales."
                if frequence
                else "",
            )
            self.orgs[cle] = org

    def _telephone(self, code_postal: str, mobile: bool = False) -> str:
        tete = self.rng.choice(["06", "07"]) if mobile else INDICATIFS.get(code_postal[0], "01")
        if code_postal.startswith("75") and not mobile:
            tete = "01"
        return " ".join([tete] + [f"{self.rng.randint(10, 99)}" for _ in range(4)])

    def _contacts(self) -> None:
        self.contacts: dict[str, list[Contact]] = {}
        deja: set[str] = set()
        for cle, org in self.orgs.items():
            nombre = 3 if org.cle else self.rng.choice([1, 2, 2, 2])
            fonctions = self.rng.sample(FONCTIONS, nombre)
            self.contacts[cle] = []
            for masc_fem in fonctions:
                while True:
                    femme = self.rng.random() < 0.55
                    prenom = self.rng.choice(PRENOMS_F if femme else PRENOMS_M)
                    nom = self.rng.choice(NOMS)
                    email = f"{_ascii(prenom)}.{_ascii(nom)}@example.fr"
                    if email not in deja:
                        deja.add(email)
                        break
                contact = Contact.objects.create(
                    organisation=org,
                    civilite=Civilite.MADAME if femme else Civilite.MONSIEUR,
                    prenom=prenom,
                    nom=nom,
                    fonction=masc_fem[1] if femme else masc_fem[0],
                    email=email,
                    telephone=org.telephone,
                    mobile=self._telephone(org.code_postal, mobile=True),
                )
                self.contacts[cle].append(contact)

    def _interaction(
        self, cle: str, type_: str, il_y_a: int, resume: str | None = None, auteur=None
    ) -> None:
        Interaction.objects.create(
            organisation=self.orgs[cle],
            contact=self.rng.choice(self.contacts[cle]),
            type=type_,
            date=self.jour(il_y_a),
            auteur=auteur or self.gerant,
            resume=resume or self.rng.choice(RESUMES[TypeInteraction(type_)]),
        )

    def _interactions(self) -> None:
        # Key clients get their « points » at about their frequency; one is now overdue
        # (Clinique du Parc Monceau: last meeting 70 days ago for a 45-day rhythm).
        rencontres = {
            "merlin": [10, 38, 70, 100, 130, 170],
            "clinique": [70, 115, 160, 210],
            "mutuelle": [25, 85, 150, 220],
        }
        types_rencontre = [TypeInteraction.REUNION, TypeInteraction.DEJEUNER, TypeInteraction.VISIO]
        for cle, jours in rencontres.items():
            for il_y_a in jours:
                self._interaction(cle, self.rng.choice(types_rencontre), il_y_a)
        self._interaction(
            "clinique",
            TypeInteraction.APPEL,
            20,
            "Appel : la DRH souhaite un point en présentiel le mois prochain.",
        )
        self._interaction("clinique", TypeInteraction.EMAIL, 40)
        self._interaction(
            "merlin",
            TypeInteraction.APPEL,
            3,
            "Appel du directeur d'exploitation : tension sociale sur le site de Corbas.",
        )
        autres = [c for c, o in self.orgs.items() if not o.cle]
        types = list(RESUMES)
        poids = [5, 4, 3, 2, 2, 3]
        for _ in range(63):
            cle = self.rng.choice(autres)
            auteur = (
                self.consultant
                if self.orgs[cle].responsable_id == self.consultant.pk and self.rng.random() < 0.7
                else None
            )
            self._interaction(
                cle, self.rng.choices(types, poids)[0], self.rng.randint(1, 360), auteur=auteur
            )

    # --- Requests, quotes, missions ----------------------------------------------------------------

    def _description(self, cas: Cas) -> tuple[str, str, str, int]:
        """(objet of the quote, the need as told at J0, expected profile, how many people)."""
        poste = self.rng.choice(POSTES)
        n = self.rng.randint(2, 6)
        evenement = self.rng.choice(EVENEMENTS)
        if cas.contexte == "crise":
            if cas.type_prestation == "formation":
                return (
                    "Formation des managers à la gestion de crise",
                    f"Former les managers à la gestion des situations de crise après {evenement}.",
                    "",
                    n,
                )
            return (
                "Cellule d'écoute et accompagnement des équipes",
                f"Mettre en place une cellule d'écoute et accompagner les équipes après {evenement}.",
                "",
                n,
            )
        if cas.contexte == "mobilite":
            if cas.type_prestation == "evaluation":
                return (
                    f"Évaluation de {n} collaborateurs — mobilité interne",
                    f"Évaluer {n} collaborateurs pressentis pour une mobilité interne vers un poste de {poste}.",
                    f"Potentiel managérial, adaptabilité ; expérience terrain appréciée ({poste}).",
                    n,
                )
            return (
                "Accompagnement d'une mobilité géographique",
                f"Accompagner la mobilité de {n} cadres vers le nouveau site de {self.orgs[cas.org].ville}.",
                "",
                n,
            )
        if cas.contexte == "recrutement":
            if cas.type_prestation == "evaluation":
                return (
                    f"Évaluation de {n} candidats — {poste}",
                    f"Évaluer les {n} candidats finalistes pour le poste de {poste}.",
                    f"{poste.capitalize()} : 10 ans d'expérience, leadership, sens du résultat.",
                    n,
                )
            return (
                f"Conseil au recrutement — {poste}",
                f"Aider à définir le profil et le processus de recrutement d'un(e) {poste}.",
                f"{poste.capitalize()} ; profil à construire avec la direction.",
                n,
            )
        return (
            "Formation « Conduire un entretien de recrutement »",
            "Former les managers de proximité à la conduite d'un entretien de recrutement.",
            "",
            n,
        )

    def _demande(self, cas: Cas) -> Demande:
        objet, description, profil, nombre = self._description(cas)
        org = self.orgs[cas.org]
        premiere = not Demande.objects.filter(organisation=org).exists()
        # A first request comes the way the organisation came; later ones by phone or email.
        canal = (
            org.source
            if premiere and org.source in ("recommandation", "reseau", "site_web", "email")
            else None
        )
        demande = Demande.objects.create(
            organisation=org,
            contact=self.rng.choice(self.contacts[cas.org]),
            recue_le=self.jour(cas.recue_il_y_a),
            canal=canal or self.rng.choice(["telephone", "email"]),
            contexte=cas.contexte,
            type_prestation=cas.type_prestation,
            description=description,
            profil_attendu=profil,
            delai_souhaite=self.rng.choice(DELAIS),
            responsable=self.consultant
            if org.responsable_id == self.consultant.pk and self.rng.random() < 0.3
            else self.gerant,
        )
        self.objets[demande.pk] = (objet, nombre)
        return demande

    def _raconter(self, cas: Cas) -> None:
        from crm.services import decider_faisabilite, qualifier_demande

        demande = self._demande(cas)
        if cas.issue == "nouvelle":
            return
        revue_le = ajouter_jours_ouvres(demande.recue_le, 1)
        if revue_le > self.aujourdhui:
            revue_le = demande.recue_le
        qualifier_demande(demande, le=demande.recue_le, par=self.gerant)
        if cas.issue == "qualifiee":
            return
        if cas.issue == "declinee":
            refus = cas.options["refus"]
            decider_faisabilite(
                demande,
                le=revue_le,
                par=self.gerant,
                competence=True,
                disponibilite=refus != "disponibilite",
                independance=refus != "independance",
                decision=Decision.NO_GO,
                suite=SuiteNoGo.DECLINER,
                motif=(
                    "Nous évaluons déjà des candidats internes de ce client pour le même poste : conflit d'intérêts (REF-001)."
                    if refus == "independance"
                    else "Aucun consultant disponible sous 48 heures pendant la période demandée."
                ),
                independance_commentaire="Mission en cours auprès d'un concurrent direct."
                if refus == "independance"
                else "",
                disponibilite_commentaire="Planning complet les trois prochaines semaines."
                if refus == "disponibilite"
                else "",
            )
            return
        if cas.issue == "reorientee":
            decider_faisabilite(
                demande,
                le=revue_le,
                par=self.gerant,
                competence=False,
                disponibilite=True,
                independance=True,
                decision=Decision.NO_GO,
                suite=SuiteNoGo.REORIENTER,
                partenaire=PARTENAIRES[cas.options["partenaire"]],
                motif="Hors de notre cœur de métier : orientée vers un partenaire de confiance.",
                competence_commentaire="Compétence spécifique que nous n'avons pas en interne.",
            )
            return
        decider_faisabilite(
            demande,
            le=revue_le,
            par=self.gerant,
            competence=True,
            disponibilite=True,
            independance=True,
            decision=Decision.GO,
            motif="Besoin dans notre cœur de métier ; consultant disponible.",
        )
        devis = self._rediger(demande)
        if cas.issue == "brouillon":
            return
        if cas.issue == "annule":
            self.chrono.planifier(ajouter_jours_ouvres(revue_le, 4), lambda: self._annuler(devis))
            return
        if "envoi_il_y_a" in cas.options:
            envoi_le = max(self.jour(cas.options["envoi_il_y_a"]), revue_le)
        else:
            envoi_le = ajouter_jours_ouvres(revue_le, self.rng.randint(1, 3))
        self.chrono.planifier(envoi_le, lambda: self._envoyer(devis, envoi_le, cas))

    def _rediger(self, demande: Demande):
        from devis.models import Unite
        from devis.services import ajouter_ligne, creer_devis_depuis_demande

        devis = creer_devis_depuis_demande(demande, par=self.gerant)
        objet, nombre = self.objets[demande.pk]
        devis.objet = objet
        devis.contexte = f"Vous nous avez sollicités pour : {demande.description[0].lower()}{demande.description[1:]}"
        devis.save(update_fields=["objet", "contexte", "modifie_le"])
        personne = devis.lignes.filter(unite=Unite.PERSONNE).first()
        if demande.type_prestation == "evaluation":
            if personne is not None:
                personne.quantite = Decimal(nombre)
                personne.save(update_fields=["quantite"])
            else:
                ajouter_ligne(
                    devis,
                    designation="Évaluation individuelle",
                    quantite=nombre,
                    prix_unitaire_ht="1200",
                    unite=Unite.PERSONNE,
                )
            return devis
        if demande.contexte == "crise" and demande.type_prestation == "conseil":
            designation, unite, prix, quantite = (
                "Cellule d'écoute et de soutien sur site",
                Unite.DEMI_JOUR,
                "750.00",
                self.rng.randint(4, 10),
            )
        elif demande.type_prestation == "formation":
            designation, unite, prix, quantite = (
                "Journée de formation en intra (8 à 12 participants)",
                Unite.JOUR,
                "1650.00",
                self.rng.randint(1, 3),
            )
        else:
            designation, unite, prix, quantite = (
                "Accompagnement conseil (entretiens, ateliers, synthèse)",
                Unite.JOUR,
                "1100.00",
                self.rng.randint(3, 8),
            )
        if personne is not None:
            personne.designation, personne.unite = designation, unite
            personne.prix_unitaire_ht, personne.quantite = Decimal(prix), Decimal(quantite)
            personne.save(update_fields=["designation", "unite", "prix_unitaire_ht", "quantite"])
        else:
            ajouter_ligne(
                devis,
                designation=designation,
                quantite=quantite,
                prix_unitaire_ht=prix,
                unite=unite,
            )
        return devis

    def _annuler(self, devis) -> None:
        from devis.services import annuler_devis

        annuler_devis(devis, par=self.gerant)

    def _regles_devis(self, le: date) -> None:
        """R1 and R2 as the morning job would have run them on ``le``."""
        from devis.regles import classer_sans_suite, creer_relances_dues

        with au_nom_de(None):
            creer_relances_dues(le)
            classer_sans_suite(le)

    def _envoyer(self, devis, envoi_le: date, cas: Cas) -> None:
        from devis.services import envoyer_devis

        devis = envoyer_devis(devis, le=envoi_le, par=self.gerant, email=False)
        for echeance in (devis.relance_due_le, devis.sans_suite_le):
            if echeance <= self.aujourdhui:
                self.chrono.planifier(echeance, partial(self._regles_devis, echeance))
        o = cas.options
        if o.get("relance") and devis.relance_due_le <= self.aujourdhui:
            self.chrono.planifier(devis.relance_due_le, lambda: self._relancer(devis))
        if cas.issue == "revise" and devis.version == 1:
            self.chrono.planifier(
                ajouter_jours_ouvres(envoi_le, 4), lambda: self._reviser(devis, cas)
            )
            return
        if "en_discussion" in o:
            self.chrono.planifier(
                self.borne(envoi_le + timedelta(days=o["en_discussion"])),
                lambda: self._repondre(
                    devis,
                    "en_discussion",
                    "Le client souhaite ajuster le nombre de sessions ; nouvelle proposition attendue.",
                ),
            )
        elif cas.issue in ("accepte", "revise"):
            accord_le = self.borne(envoi_le + timedelta(days=o["reponse"]))
            self.chrono.planifier(accord_le, lambda: self._accord(devis, accord_le, cas))
        elif cas.issue == "refuse":
            self.chrono.planifier(
                self.borne(envoi_le + timedelta(days=o["reponse"])),
                lambda: self._repondre(devis, "refuse", "", motif=o["motif"]),
            )

    def _relancer(self, devis) -> None:
        from devis.models import StatutDevis
        from devis.services import enregistrer_relance

        devis.refresh_from_db()
        if devis.statut != StatutDevis.ENVOYE or devis.reponse_le is not None:
            return  # the client answered first: nothing to chase
        enregistrer_relance(
            devis,
            mode="telephone",
            le=self.chrono.jour,
            par=self.gerant,
            note=self.rng.choice(
                [
                    "Le client étudie la proposition en comité de direction.",
                    "Messagerie ; rappel de la validité du devis laissé en message.",
                    "Intéressé, attend l'arbitrage budgétaire.",
                ]
            ),
        )

    def _repondre(self, devis, decision: str, commentaire: str, motif: str | None = None) -> None:
        from devis.models import MotifRefus
        from devis.services import enregistrer_reponse

        motif_refus = MotifRefus.objects.get_or_create(libelle=motif)[0] if motif else None
        enregistrer_reponse(
            devis,
            decision=decision,
            le=self.chrono.jour,
            par=self.gerant,
            motif_refus=motif_refus,
            commentaire=commentaire,
        )

    def _reviser(self, devis, cas: Cas) -> None:
        from devis.services import reviser_devis

        nouveau = reviser_devis(devis, par=self.gerant)
        ligne = nouveau.lignes.order_by("-prix_unitaire_ht").first()
        if ligne is not None:  # a revision copies the lines: the demo's quotes all have some
            ligne.quantite += 1
            ligne.save(update_fields=["quantite"])
        envoi_le = self.chrono.jour + timedelta(days=1)
        while not est_jour_ouvre(envoi_le):
            envoi_le += timedelta(days=1)
        self.chrono.planifier(envoi_le, lambda: self._envoyer(nouveau, envoi_le, cas))

    def _accord(self, devis, accord_le: date, cas: Cas) -> None:
        from devis.services import RevueContrat, enregistrer_accord, faire_revue_contrat

        o = cas.options
        accord = enregistrer_accord(
            devis,
            type=o["accord"],
            recu_le=accord_le,
            par=self.gerant,
            reference_client=f"BC-{accord_le.year}-{self.rng.randint(100, 999)}"
            if o["accord"] == "bon_commande"
            else "",
        )
        if o.get("sans_revue"):
            return
        if o.get("ecarts"):
            revue = RevueContrat(
                prix_conforme=False,
                conditions_conformes=True,
                ecarts="Le bon de commande ne porte que deux journées de formation au lieu de trois.",
                resolution_ecarts="Le client a confirmé les trois journées par mail et envoyé un bon de commande rectifié.",
            )
            revue_le = ajouter_jours_ouvres(accord_le, 2)
        else:
            revue = RevueContrat(prix_conforme=True, conditions_conformes=True)
            revue_le = accord_le
        revue_le = self.borne(revue_le)
        self.chrono.planifier(
            revue_le, lambda: faire_revue_contrat(accord, revue, le=revue_le, par=self.gerant)
        )
        self.chrono.planifier(revue_le, lambda: self._lancer(devis, revue_le, cas))

    def _lancer(self, devis, revue_le: date, cas: Cas) -> None:
        from devis.models import Devis
        from devis.services import lancer_mission

        # Fresh from the database: the agreement cached on the object predates its review.
        devis = Devis.objects.get(pk=devis.pk)
        o = cas.options
        if "debut_dans" in o:
            debut = ajouter_jours_ouvres(self.aujourdhui, o["debut_dans"])
        else:
            debut = revue_le + timedelta(days=o["debut"])
            while not est_jour_ouvre(debut):
                debut += timedelta(days=1)
        if "fin_il_y_a" in o:
            fin = self.jour(o["fin_il_y_a"])
        elif "fin_dans" in o:
            fin = ajouter_jours_ouvres(self.aujourdhui, o["fin_dans"])
        else:
            fin = debut + timedelta(days=o["duree"])
            while not est_jour_ouvre(fin):
                fin -= timedelta(days=1)
        consultants = []
        if o.get("consultant"):
            consultants.append(self.consultant)
        if o.get("gerant") or not consultants:
            consultants.append(self.gerant)
        mission = lancer_mission(
            devis,
            debut=debut,
            fin=fin,
            consultants=consultants,
            par=self.gerant,
            notes="Lancement confirmé au client ; planning des entretiens envoyé.",
        )
        if debut <= self.aujourdhui:
            self.chrono.planifier(
                debut, lambda: self._statut_mission(mission, StatutMission.EN_COURS, debut)
            )
        if fin <= self.aujourdhui:
            self.chrono.planifier(
                fin, lambda: self._statut_mission(mission, StatutMission.TERMINEE, fin)
            )
            self._apres_mission(mission, fin, cas)

    def _statut_mission(self, mission: Mission, statut: str, le: date) -> None:
        from crm.services import changer_statut_mission

        changer_statut_mission(mission, statut=statut, le=le, par=self.gerant)

    def _apres_mission(self, mission: Mission, fin: date, cas: Cas) -> None:
        """Debrief the day after, survey a few days later (PROC-020 §3.6), complaint if any."""
        o = cas.options
        par = self.consultant if o.get("consultant") else self.gerant
        debrief_le = self.borne(ajouter_jours_ouvres(fin, 1))
        reponse = o.get("debrief")
        if reponse == "oui":
            self.chrono.planifier(
                debrief_le, lambda: self._debrief(mission, debrief_le, "oui", par)
            )
        elif reponse:
            # Alerts the gérant by email: recorded after the commit (see handle()).
            self.debriefs_differes.append((mission, debrief_le, reponse, par))
        if o.get("reclamation"):
            self.chrono.planifier(
                self.borne(ajouter_jours_ouvres(fin, 3)), lambda: self._reclamation_mission(mission)
            )
        for i, note in enumerate(o.get("enquetes", [])):
            cree_le = self.borne(ajouter_jours_ouvres(fin, 2))
            self.chrono.planifier(
                cree_le,
                partial(self._enquete, mission, cree_le, i, note),
            )

    VERBATIMS = {
        "oui": (
            "Tout à fait : les profils proposés correspondent à ce que nous cherchions.",
            "",
            "",
        ),
        "partiellement": (
            "Sur le fond oui, mais nous aurions aimé un démarrage plus rapide.",
            "Le DRH évoque un budget formation en baisse l'an prochain.",
            "Formation des managers à l'écoute active, second semestre.",
        ),
        "non": (
            "Le rapport sur le troisième candidat est arrivé trop tard pour le comité.",
            "Le directeur d'usine n'était pas associé au cadrage.",
            "",
        ),
    }

    def _debrief(self, mission: Mission, le: date, reponse: str, par):
        from satisfaction.services import enregistrer_debrief

        verbatim, signaux, besoins = self.VERBATIMS[reponse]
        if reponse == "oui" and self.rng.random() < 0.5:
            besoins = "Nouveau recrutement de cadre prévu au prochain trimestre."
        with au_nom_de(par):
            return enregistrer_debrief(
                mission,
                le=le,
                reponse=reponse,
                verbatim=verbatim,
                signaux_faibles=signaux,
                besoins_futurs=besoins,
                par=par,
            )

    def _enquete(self, mission: Mission, cree_le: date, rang: int, note) -> None:
        from satisfaction.models import Enquete
        from satisfaction.services import creer_enquete, repondre_enquete

        contacts = self.contacts[
            next(k for k, o in self.orgs.items() if o.pk == mission.devis.organisation_id)
        ]
        contact = (
            mission.devis.contact
            if rang == 0
            else next(c for c in contacts if c != mission.devis.contact)
        )
        enquete = creer_enquete(contact=contact, le=cree_le, mission=mission)
        # Sent from the gérant's mailbox for the demo: the app's email is not replayed.
        Enquete.objects.filter(pk=enquete.pk).update(envoyee_le=cree_le)
        if note is None:
            return
        repondue_le = cree_le + timedelta(days=self.rng.randint(2, 12))
        if repondue_le > self.aujourdhui:
            return
        satisfaction, recommandation, effort, commentaire = note
        self.chrono.planifier(
            repondue_le,
            lambda: repondre_enquete(
                enquete,
                le=repondue_le,
                satisfaction=satisfaction,
                recommandation=recommandation,
                effort=effort,
                commentaire=commentaire,
                consentement_citation=bool(commentaire) and satisfaction >= 4,
            ),
        )

    # --- Complaints ---------------------------------------------------------------------------------

    def _nature(self, libelle: str):
        from reclamations.models import NatureReclamation

        return NatureReclamation.objects.get_or_create(libelle=libelle)[0]

    def _reclamation_mission(self, mission: Mission) -> None:
        """The disappointed client of the « non » debrief: a founded complaint, through all phases."""
        from reclamations.models import StatutAction
        from reclamations.services import (
            accuser_reception,
            clore,
            creer_action,
            enregistrer_reclamation,
            qualifier,
            repondre,
        )

        recue_le = self.chrono.jour
        r = enregistrer_reclamation(
            organisation=mission.devis.organisation,
            contact=mission.devis.contact,
            recue_le=recue_le,
            description="Le rapport d'évaluation du troisième candidat a été remis après le comité de sélection, et il ne traitait pas la question du management à distance.",
            par=self.gerant,
            canal="telephone",
            gravite="majeure",
            nature=self._nature("Délai"),
            mission=mission,
            devis=mission.devis,
            responsable=self.gerant,
        )
        accuse_le = ajouter_jours_ouvres(recue_le, 1)
        reponse_le = ajouter_jours_ouvres(recue_le, 3)
        close_le = reponse_le + timedelta(days=14)

        def phases():
            accuser_reception(r, le=accuse_le, mode="telephone", par=self.gerant)
            qualifier(
                r,
                fondee=True,
                analyse="Planning de rédaction non aligné sur la date du comité ; pas de relecture croisée avant envoi.",
                par=self.gerant,
            )
            self.chrono.planifier(reponse_le, repondre_et_agir)

        def repondre_et_agir():
            repondre(
                r,
                le=reponse_le,
                reponse="Nous reconnaissons le retard et l'omission. Le rapport complété vous a été remis ; une remise de 10 % est appliquée sur la facture.",
                compensation="remise",
                montant_compensation=Decimal("300.00"),
                envoyer_email=False,
                par=self.gerant,
            )
            action = creer_action(
                reclamation=r,
                description="Caler la date de remise des rapports sur celle du comité du client dès le cadrage, et relire chaque rapport en binôme avant envoi.",
                echeance=reponse_le + timedelta(days=30),
                responsable=self.gerant,
            )
            fait_le = reponse_le + timedelta(days=21)
            verifie_le = fait_le + timedelta(days=60)
            if fait_le <= self.aujourdhui:
                action.statut = StatutAction.FAITE
                action.realisee_le = fait_le
                if verifie_le <= self.aujourdhui:
                    action.efficacite_verifiee = True
                    action.verifiee_le = verifie_le
                    action.efficacite_commentaire = (
                        "Trois missions depuis : rapports remis avant le comité, aucune remarque."
                    )
                motiver(action, "Action réalisée")
                action.save()
            self.chrono.planifier(
                self.borne(close_le),
                lambda: clore(
                    r,
                    le=self.borne(close_le),
                    client_satisfait=True,
                    verification="Appel de la DRH : satisfaite de la réponse, nous confie une nouvelle évaluation.",
                    par=self.gerant,
                ),
            )

        self.chrono.planifier(accuse_le, phases)

    def _reclamations(self) -> None:
        """Complaints at every phase, so the deadlines and the overdue list have something to show."""
        from reclamations.services import creer_action

        histoires = [
            # (org, recue il y a, nature, gravité, canal, description, jusqu'où, fondée, réponse)
            (
                "garance",
                200,
                "Délai",
                "mineure",
                "email",
                "Le compte rendu de la réunion de cadrage n'a été reçu qu'une semaine après.",
                "close",
                False,
                "Le compte rendu avait été envoyé le lendemain à l'adresse indiquée ; nous l'avons renvoyé et ajouté votre assistante en copie.",
            ),
            (
                "clinique",
                12,
                "Facturation",
                "mineure",
                "email",
                "La facture de la formation mentionne un taux de TVA erroné.",
                "repondue",
                True,
                "Une facture rectificative vous a été adressée ; veuillez nous excuser de cette erreur.",
            ),
            (
                "metropole",
                3,
                "Comportement",
                "mineure",
                "telephone",
                "Un candidat se plaint du ton employé lors de la mise en situation.",
                "en_traitement",
                None,
                "",
            ),
            (
                "hydraulique",
                12,
                "Qualité de la prestation",
                "mineure",
                "courrier",
                "Le support de formation remis aux participants comportait des pages manquantes.",
                "accusee",
                None,
                "",
            ),
            (
                "tessier",
                1,
                "Confidentialité / déontologie",
                "majeure",
                "email",
                "Le client demande comment sont conservés les résultats des tests de ses candidats.",
                "recue",
                None,
                "",
            ),
        ]
        for org, il_y_a, nature, gravite, canal, description, jusqua, fondee, reponse in histoires:
            recue_le = self.jour(il_y_a)
            self.chrono.planifier(
                recue_le,
                partial(
                    self._reclamation,
                    org,
                    recue_le,
                    nature,
                    gravite,
                    canal,
                    description,
                    jusqua,
                    fondee,
                    reponse,
                ),
            )
        self.chrono.planifier(
            self.jour(30),
            lambda: creer_action(
                type="preventive",
                description="Mettre à jour la fiche REF-001 (indépendance) et la faire relire à chaque revue de faisabilité.",
                echeance=self.aujourdhui + timedelta(days=20),
                responsable=self.gerant,
            ),
        )

    def _reclamation(
        self, org, recue_le, nature, gravite, canal, description, jusqua, fondee, reponse
    ) -> None:
        from reclamations.services import (
            accuser_reception,
            clore,
            creer_action,
            enregistrer_reclamation,
            qualifier,
            repondre,
        )

        contact = self.contacts[org][0]
        r = enregistrer_reclamation(
            organisation=self.orgs[org],
            contact=contact,
            recue_le=recue_le,
            description=description,
            par=self.gerant,
            canal=canal,
            gravite=gravite,
            nature=self._nature(nature),
            responsable=self.gerant,
        )
        if jusqua == "recue":
            return
        accuse_le = self.borne(ajouter_jours_ouvres(recue_le, 1))

        def suite():
            accuser_reception(r, le=accuse_le, mode="telephone", par=self.gerant)
            if jusqua == "accusee":
                return
            qualifier(
                r,
                fondee=fondee,
                analyse="Entretien avec le consultant concerné ; faits vérifiés."
                if fondee is not False
                else "Vérification faite : l'envoi avait bien eu lieu.",
                par=self.gerant,
            )
            if jusqua == "en_traitement":
                creer_action(
                    reclamation=r,
                    description="Rappeler à l'équipe la charte d'accueil des candidats lors des mises en situation.",
                    echeance=self.aujourdhui + timedelta(days=10),
                    responsable=self.consultant,
                )
                return
            repondue_le = self.borne(ajouter_jours_ouvres(accuse_le, 2))
            self.chrono.planifier(repondue_le, lambda: repondre_puis_clore(repondue_le))

        def repondre_puis_clore(repondue_le):
            repondre(r, le=repondue_le, reponse=reponse, envoyer_email=False, par=self.gerant)
            if jusqua == "close":
                close_le = self.borne(repondue_le + timedelta(days=7))
                self.chrono.planifier(
                    close_le,
                    lambda: clore(
                        r,
                        le=close_le,
                        client_satisfait=True,
                        verification="Confirmé par le client lors d'un appel de suivi.",
                        par=self.gerant,
                    ),
                )

        self.chrono.planifier(accuse_le, suite)

    # --- After the commit ------------------------------------------------------------------------

    def _debriefs_avec_alerte(self) -> list[str]:
        """Debriefs answered « non » or « partiellement »: the service emails the gérant."""
        avertissements = []
        for mission, le, reponse, par in self.debriefs_differes:
            try:
                self._debrief(mission, le, reponse, par)
            except TemplateDoesNotExist as exc:
                # The debrief is saved (its transaction committed before the email is rendered).
                avertissements.append(
                    f"débrief de « {mission} » enregistré, alerte email non envoyée (gabarit {exc} absent)."
                )
            except Exception as exc:
                raise CommandError(
                    f"Les données de démonstration sont créées, mais le débrief de la mission « {mission} » "
                    f"a échoué ({exc.__class__.__name__} : {exc})."
                ) from exc
        return avertissements

    # --- Output --------------------------------------------------------------------------------

    def _afficher_comptes(self, mots_de_passe: dict[str, str]) -> None:
        ligne = "=" * 72
        self.stdout.write(ligne)
        self.stdout.write("Comptes créés — notez ces mots de passe, ils ne seront plus affichés")
        self.stdout.write(ligne)
        self.stdout.write(
            f"  Gérant     : identifiant « gerant »      mot de passe : {mots_de_passe['gerant']}"
        )
        self.stdout.write(
            f"  Consultant : identifiant « consultant »  mot de passe : {mots_de_passe['consultant']}"
        )
        self.stdout.write(ligne)

    def _afficher_bilan(self, resultat: dict, duree: float) -> None:
        from devis.models import Devis
        from reclamations.models import Action, Reclamation
        from satisfaction.models import Debrief, Enquete, Reponse

        def repartition(qs) -> str:
            compte = Counter(qs.values_list("statut", flat=True))
            return ", ".join(f"{statut} {n}" for statut, n in sorted(compte.items()))

        lignes = [
            f"Organisations : {Organisation.objects.count()} (dont {Organisation.objects.filter(cle=True).count()} clients clés)",
            f"Contacts : {Contact.objects.count()}",
            f"Interactions : {Interaction.objects.count()}",
            f"Demandes : {Demande.objects.count()} ({repartition(Demande.objects)})",
            f"Devis : {Devis.objects.count()} ({repartition(Devis.objects)})",
            f"Missions : {Mission.objects.count()} ({repartition(Mission.objects)})",
            f"Réclamations : {Reclamation.objects.count()} ({repartition(Reclamation.objects)}), actions : {Action.objects.count()}",
            f"Débriefs : {Debrief.objects.count()}, enquêtes : {Enquete.objects.count()}, réponses : {Reponse.objects.count()}",
            f"Emails enregistrés : {EmailEnvoye.objects.count()}",
            f"Règles du {self.aujourdhui:%d/%m/%Y} : {len(resultat.get('relances_dues', []))} relance(s) à faire, "
            f"{len(resultat.get('reclamations_en_retard', []))} réclamation(s) en retard",
            f"Données de démonstration créées en {duree:.1f} s.",
        ]
        for ligne in lignes:
            self.stdout.write(ligne)
