/* Tableau de bord : draws the charts from the data the page carries in
   <script type="application/json" id="donnees-graphiques"> (Django's json_script).
   No inline script, so the page works under a strict Content-Security-Policy. */
(function () {
  "use strict";

  var COULEURS = ["#1f4e79", "#9db7d1", "#c55a11", "#70ad47"];

  function nombre(valeur, unite) {
    var texte = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 }).format(valeur);
    return unite ? texte + " " + unite : texte;
  }

  function dessiner(g) {
    var toile = document.getElementById("graphique-" + g.id);
    if (!toile) {
      return;
    }
    new window.Chart(toile, {
      type: "bar",
      data: {
        labels: g.labels,
        datasets: g.jeux.map(function (jeu, i) {
          return {
            label: jeu.label,
            data: jeu.data,
            backgroundColor: COULEURS[i % COULEURS.length],
            borderRadius: 3
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        locale: "fr-FR",
        animation: false,
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return ctx.dataset.label + " : " + nombre(ctx.parsed.y, g.unite);
              }
            }
          }
        },
        scales: {
          y: {
            beginAtZero: true,
            suggestedMax: g.unite === "%" ? 100 : undefined,
            ticks: { precision: 0 }
          }
        }
      }
    });
  }

  function demarrer() {
    var source = document.getElementById("donnees-graphiques");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    JSON.parse(source.textContent).forEach(dessiner);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", demarrer);
  } else {
    demarrer();
  }
})();
