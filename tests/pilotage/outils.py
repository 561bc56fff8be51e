"""Following a background job in tests: the POST's redirect to the job's page, the task's
function run directly with the job's id (a real worker is tested in test_travaux), the file."""

from __future__ import annotations

from django.urls import resolve, reverse

from pilotage.tasks import executer_travail


def id_du_travail(reponse) -> int:
    assert reponse.status_code == 302, reponse.status_code
    vue = resolve(reponse["Location"])
    assert vue.view_name == "pilotage:travail", reponse["Location"]
    return vue.kwargs["pk"]


def suivre(client, reponse):
    """Run the job the POST started, check its page says it is done, return the download."""
    pk = id_du_travail(reponse)
    assert executer_travail(pk) == "termine"
    page = client.get(reponse["Location"]).content.decode()
    assert "100 %" in page and "Terminé" in page
    return client.get(reverse("pilotage:travail_fichier", args=[pk]))


def contenu(reponse) -> bytes:
    return b"".join(reponse.streaming_content)


def travail_termine(user, *, contenu_fichier: bytes = b"%PDF-1.4 revue", **champs):
    """A finished job of ``user`` with its file in the private folder (as a worker leaves it)."""
    from pilotage.models import Travail
    from pilotage.travaux import dossier

    nom = f"test{Travail.objects.count()}.bin"
    (dossier() / nom).write_bytes(contenu_fichier)
    valeurs = {
        "genre": Travail.Genre.REVUE_DIRECTION,
        "titre": "Revue de direction",
        "statut": Travail.Statut.TERMINE,
        "progression": 100,
        "fichier": nom,
        "nom_fichier": "revue.pdf",
        "type_mime": "application/pdf",
        **champs,
    }
    return Travail.objects.create(user=user, **valeurs)
