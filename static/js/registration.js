// Registration form: show only the questions of the chosen role. Without this script,
// every role's questions are shown, each under a legend naming its role.
(function () {
  "use strict";

  var form = document.querySelector(".registration-form");
  if (form) {
    var radios = form.querySelectorAll('input[name="role"]');
    var groups = form.querySelectorAll(".role-questions");

    var showChosenRole = function () {
      var chosen = form.querySelector('input[name="role"]:checked');
      groups.forEach(function (group) {
        // data-role may name several roles, separated by spaces.
        var roles = (group.getAttribute("data-role") || "").split(" ");
        var shown = chosen !== null && roles.indexOf(chosen.value) !== -1;
        group.hidden = !shown;
        // A hidden group's answers are not sent: only the chosen role's answers count.
        group.disabled = !shown;
      });
    };

    // The optional part concerning the chosen role opens by itself (« Rencontres au village »
    // for an institution that comes to offer support).
    var openForRole = function () {
      var chosen = form.querySelector('input[name="role"]:checked');
      form.querySelectorAll("details[data-open-for]").forEach(function (details) {
        if (chosen !== null && details.getAttribute("data-open-for").split(" ").indexOf(chosen.value) !== -1) {
          details.open = true;
        }
      });
    };

    radios.forEach(function (radio) {
      radio.addEventListener("change", showChosenRole);
      radio.addEventListener("change", openForRole);
    });
    showChosenRole();
  }

  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
})();
