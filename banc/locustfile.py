"""Load scenario (`make charge`): the gérant's day and consultants' debriefs, 20 users.

Fails (exit code 1) on any error or a p95 over 300 ms, checked when the run ends.
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, events, task

MOT_DE_PASSE = os.environ["CHARGE_MOT_DE_PASSE"]
NB_CONSULTANTS = int(os.environ.get("CHARGE_CONSULTANTS", "10"))
P95_MAX_MS = 300


class Connecte(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    identifiant = ""

    def on_start(self):
        self.client.get("/connexion/", name="connexion")
        jeton = self.client.cookies.get("csrftoken")
        r = self.client.post(
            "/connexion/",
            data={
                "username": self.identifiant,
                "password": MOT_DE_PASSE,
                "csrfmiddlewaretoken": jeton,
            },
            headers={"Referer": f"{self.host}/connexion/"},
            name="connexion",
        )
        if "connexion" in r.url:
            raise RuntimeError(f"connexion refusée pour {self.identifiant}")


class Gerant(Connecte):
    weight = 1
    identifiant = "charge-gerant"

    @task(4)
    def aujourdhui(self):
        self.client.get("/", name="aujourd'hui")

    @task(3)
    def devis(self):
        r = self.client.get(f"/devis/?page={random.randint(1, 20)}", name="devis (liste)")
        ids = re.findall(r'href="/devis/(\d+)/"', r.text)
        if ids:
            self.client.get(f"/devis/{random.choice(ids)}/", name="devis (fiche)")

    @task(3)
    def organisations(self):
        r = self.client.get("/organisations/?q=Martin", name="organisations (recherche)")
        ids = re.findall(r'href="/organisations/(\d+)/"', r.text)
        if ids:
            self.client.get(f"/organisations/{random.choice(ids)}/", name="organisation (fiche)")

    @task(2)
    def reclamations(self):
        self.client.get("/reclamations/", name="réclamations")

    @task(1)
    def demandes(self):
        self.client.get("/demandes/", name="demandes")


class Consultant(Connecte):
    weight = 3

    def on_start(self):
        self.identifiant = f"charge-consultant-{random.randrange(NB_CONSULTANTS)}"
        super().on_start()

    @task(3)
    def mes_missions(self):
        r = self.client.get("/missions/", name="mes missions")
        ids = re.findall(r'href="/missions/(\d+)/"', r.text)
        if ids:
            self.client.get(f"/missions/{random.choice(ids)}/", name="mission")

    @task(1)
    def debrief(self):
        r = self.client.get(f"/missions/?page={random.randint(1, 5)}", name="mes missions")
        for pk in re.findall(r'href="/missions/(\d+)/"', r.text):
            page = self.client.get(
                f"/satisfaction/missions/{pk}/debrief/", name="débrief (formulaire)"
            )
            if "csrfmiddlewaretoken" not in page.text:
                continue  # already debriefed
            self.client.post(
                f"/satisfaction/missions/{pk}/debrief/",
                data={
                    "reponse": random.choice(["oui", "oui", "partiellement"]),
                    "verbatim": "Très bonne restitution, merci.",
                    "csrfmiddlewaretoken": self.client.cookies.get("csrftoken"),
                },
                headers={"Referer": f"{self.host}/satisfaction/missions/{pk}/debrief/"},
                name="débrief (envoi)",
            )
            break


@events.quitting.add_listener
def _verdict(environment, **_kwargs):
    from locust.stats import StatsEntry

    # The login (password hashing, once a day per person) is reported but not held to the
    # 300 ms goal, which is about the pages people work in.
    total = StatsEntry(environment.stats, "hors connexion", "")
    for entree in environment.stats.entries.values():
        if entree.name != "connexion":
            total.extend(entree)
    total.num_failures = environment.stats.total.num_failures
    p95 = total.get_response_time_percentile(0.95)
    if total.num_failures:
        print(f"ÉCHEC : {total.num_failures} requêtes en erreur")
        environment.process_exit_code = 1
    elif p95 > P95_MAX_MS:
        print(f"ÉCHEC : p95 = {p95:.0f} ms > {P95_MAX_MS} ms")
        environment.process_exit_code = 1
    else:
        print(f"OK : {total.num_requests} requêtes, 0 erreur, p95 = {p95:.0f} ms")
