// The global search of the navigation bar: « / » focuses the box from anywhere (not while typing
// in a field), the arrows move through the results, Escape closes them. No inline script: the
// page's CSP forbids it.
(function () {
  "use strict";

  function boite() {
    return document.getElementById("recherche-globale");
  }

  function liste() {
    return document.getElementById("recherche-suggestions");
  }

  function options() {
    return Array.prototype.slice.call(liste().querySelectorAll('[role="option"]'));
  }

  function enSaisie(cible) {
    if (!cible) return false;
    var nom = cible.tagName;
    return nom === "INPUT" || nom === "TEXTAREA" || nom === "SELECT" || cible.isContentEditable;
  }

  function fermer() {
    liste().innerHTML = "";
    boite().setAttribute("aria-expanded", "false");
    boite().removeAttribute("aria-activedescendant");
  }

  function choisir(index) {
    var tous = options();
    if (!tous.length) return;
    index = (index + tous.length) % tous.length;
    tous.forEach(function (o, i) {
      o.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    boite().setAttribute("aria-activedescendant", tous[index].id);
    tous[index].scrollIntoView({ block: "nearest" });
  }

  function actuel() {
    var tous = options();
    for (var i = 0; i < tous.length; i++) {
      if (tous[i].getAttribute("aria-selected") === "true") return i;
    }
    return -1;
  }

  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || enSaisie(e.target)) return;
    if (!boite()) return;
    e.preventDefault();
    var menu = document.getElementById("menu-principal");
    // On a narrow screen the box is in the collapsed menu: open it first.
    if (menu && !menu.classList.contains("show") && window.bootstrap) {
      window.bootstrap.Collapse.getOrCreateInstance(menu).show();
    }
    boite().focus();
    boite().select();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var champ = boite();
    if (!champ) return;
    champ.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        choisir(actuel() + (e.key === "ArrowDown" ? 1 : -1));
      } else if (e.key === "Enter") {
        var i = actuel();
        if (i >= 0) {
          e.preventDefault();
          window.location.href = options()[i].href;
        }
      } else if (e.key === "Escape") {
        fermer();
      }
    });
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.target === liste()) {
        champ.setAttribute("aria-expanded", options().length ? "true" : "false");
        champ.removeAttribute("aria-activedescendant");
      }
    });
    document.addEventListener("click", function (e) {
      if (!champ.form.contains(e.target)) fermer();
    });
  });
})();
