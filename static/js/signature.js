/*
 * Optional drawn signature of the client's « Bon pour accord » (templates/devis/devis_public.html).
 *
 * The block ([data-signature]) stays hidden without JavaScript: the acceptance then works
 * without a drawing. When something is drawn, the form sends it as a PNG data URL in its
 * hidden field; the server checks and stores it. Pointer events cover mouse, pen and finger.
 */
(function () {
  "use strict";

  var HAUTEUR = 160; // CSS pixels, as the canvas's height attribute in the template
  var LARGEUR_MAX = 1200; // device pixels

  function installer(bloc) {
    var canvas = bloc.querySelector("canvas");
    var champ = bloc.querySelector("input[type=hidden]");
    var effacer = bloc.querySelector("[data-signature-effacer]");
    var form = bloc.closest("form");
    if (!canvas || !champ || !form || !canvas.getContext) {
      return;
    }
    var ctx = canvas.getContext("2d");
    var trace = false;
    var dessine = false;
    var dernier = null;

    bloc.hidden = false;
    canvas.style.touchAction = "none"; // drawing must not scroll the page on a phone

    function dimensionner() {
      var largeur = canvas.clientWidth || canvas.parentNode.clientWidth || 300;
      // The server keeps signatures up to LARGEUR_MAX pixels wide (SIGNATURE_LARGEUR_MAX in
      // devis/services/signature.py): a wide HiDPI screen draws at a lower ratio.
      var ratio = Math.min(window.devicePixelRatio || 1, 2, LARGEUR_MAX / largeur);
      canvas.width = Math.round(largeur * ratio);
      canvas.height = Math.round(HAUTEUR * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.2;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#1f3a5f";
      ctx.fillStyle = "#1f3a5f";
    }

    function point(e) {
      var r = canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    }

    function vider() {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.restore();
      dessine = false;
      champ.value = "";
    }

    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      trace = true;
      dernier = point(e);
      if (canvas.setPointerCapture) {
        canvas.setPointerCapture(e.pointerId);
      }
      ctx.beginPath();
      ctx.arc(dernier.x, dernier.y, 1.1, 0, 2 * Math.PI);
      ctx.fill();
      dessine = true;
    });

    canvas.addEventListener("pointermove", function (e) {
      if (!trace) {
        return;
      }
      e.preventDefault();
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(dernier.x, dernier.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      dernier = p;
      dessine = true;
    });

    ["pointerup", "pointercancel", "pointerleave"].forEach(function (nom) {
      canvas.addEventListener(nom, function () {
        trace = false;
      });
    });

    if (effacer) {
      effacer.addEventListener("click", vider);
    }

    form.addEventListener("submit", function () {
      champ.value = dessine ? canvas.toDataURL("image/png") : "";
    });

    // The details element may open after load: size the canvas when it becomes visible,
    // and again on rotation while nothing is drawn (resizing a canvas clears it).
    var details = bloc.closest("details");
    if (details) {
      details.addEventListener("toggle", function () {
        if (details.open && !dessine) {
          dimensionner();
        }
      });
    }
    window.addEventListener("resize", function () {
      if (!dessine) {
        dimensionner();
      }
    });
    dimensionner();
  }

  function demarrer() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-signature]"), installer);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", demarrer);
  } else {
    demarrer();
  }
})();
