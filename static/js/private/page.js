// The private page's offline side (app/public/offline.py): installs the worker that keeps this
// link's agenda (sw.js next to this file), or removes it once there is nothing left to keep;
// on the copy kept for offline use, says which actions need a connection.
(function () {
  "use strict";

  var script = document.currentScript;
  var scope = script.getAttribute("data-scope");
  var worker = script.getAttribute("data-worker");
  var kept = JSON.parse(script.getAttribute("data-kept") || "[]");

  if ("serviceWorker" in navigator) {
    if (worker) {
      navigator.serviceWorker.register(worker, { scope: scope }).catch(function () {
        // Without it the page works as before, only not offline.
      });
    } else {
      // Cancelled place, withdrawn schedule: nothing of this link stays on the phone. The worker
      // in charge of this page forgets it all (it would keep the files the page still loads).
      navigator.serviceWorker.getRegistration(scope).then(function (registration) {
        if (!registration || new URL(registration.scope).pathname !== scope) return;
        if (registration.active) registration.active.postMessage("oublier");
        else registration.unregister();
      });
    }
  }

  var banner = document.querySelector("[data-offline-banner]");
  if (!banner || banner.hidden) return;

  // The kept copy: its forms and the link's other pages cannot work without network.
  document.querySelectorAll("main form").forEach(function (form) {
    var note = document.createElement("p");
    note.className = "needs-connection";
    note.textContent = "Connexion nécessaire pour envoyer ce formulaire.";
    form.insertBefore(note, form.firstChild);
    form.querySelectorAll("button, input[type=submit]").forEach(function (button) { button.disabled = true; });
  });
  document.querySelectorAll("main a[href]").forEach(function (link) {
    var path = new URL(link.href).pathname;
    if (path.indexOf(scope + "/") === 0 && kept.indexOf(path) === -1) {
      var note = document.createElement("span");
      note.className = "needs-connection";
      note.textContent = " (connexion nécessaire)";
      link.appendChild(note);
    }
  });
  // Back online: the page as it is now, forms usable again, once the server answers (the
  // « online » event can come before the network works; HEAD is not answered by the worker).
  function reloadWhenReachable() {
    fetch(window.location.pathname, { method: "HEAD", cache: "no-store" })
      .then(function () { window.location.reload(); })
      .catch(function () { window.setTimeout(reloadWhenReachable, 2000); });
  }
  window.addEventListener("online", reloadWhenReachable);
})();
