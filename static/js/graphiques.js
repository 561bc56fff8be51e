/*
 * Charts of the CRM's dashboards, drawn with the vendored Chart.js.
 *
 * No inline script (Content-Security-Policy): a page puts its data in a JSON block with
 * Django's {{ data|json_script:"id" }} and a <canvas data-graphique="id">; this file finds
 * every such canvas and draws it. The data block holds:
 *   { "type": "bar" | "line", "labels": [...], "datasets": [{ "label": ..., "data": [...] }],
 *     "entiers": true (integer ticks), "min": n, "max": n, "suffixe": " %" }
 * A null value in a dataset is a gap (no answer that quarter), not a zero.
 */
(function () {
  "use strict";

  var COULEURS = ["#1f4e79", "#c77c02", "#2e7d32", "#b02a37", "#6f42c1", "#0dcaf0"];

  function options(donnees) {
    var axeY = { beginAtZero: true, ticks: {} };
    if (donnees.entiers) {
      axeY.ticks.precision = 0;
    }
    if (donnees.min !== undefined) {
      axeY.suggestedMin = donnees.min;
      axeY.beginAtZero = donnees.min >= 0;
    }
    if (donnees.max !== undefined) {
      axeY.suggestedMax = donnees.max;
    }
    if (donnees.suffixe) {
      axeY.ticks.callback = function (valeur) {
        return valeur.toLocaleString("fr-FR") + donnees.suffixe;
      };
    }
    return {
      locale: "fr-FR",
      responsive: true,
      maintainAspectRatio: true,
      aspectRatio: 2,
      animation: false,
      spanGaps: true,
      scales: { y: axeY },
      plugins: { legend: { display: donnees.datasets.length > 1, position: "bottom" } },
    };
  }

  function dessiner(canvas) {
    var source = document.getElementById(canvas.dataset.graphique);
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var donnees = JSON.parse(source.textContent);
    var series = donnees.datasets.map(function (d, i) {
      var couleur = d.couleur || COULEURS[i % COULEURS.length];
      return {
        label: d.label,
        data: d.data,
        type: d.type || donnees.type,
        borderColor: couleur,
        backgroundColor: donnees.type === "line" ? couleur : couleur + "cc",
        borderWidth: 2,
        tension: 0.2,
      };
    });
    canvas.graphique = new window.Chart(canvas, {
      type: donnees.type,
      data: { labels: donnees.labels, datasets: series },
      options: options(donnees),
    });
    canvas.dataset.dessine = "oui";
  }

  function tout_dessiner() {
    document.querySelectorAll("canvas[data-graphique]").forEach(dessiner);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", tout_dessiner);
  } else {
    tout_dessiner();
  }
})();
