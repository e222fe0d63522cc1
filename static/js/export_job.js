// Follow a background export: move the progress bar until the file is ready to download.
(function () {
  var box = document.querySelector("[data-state-url]");
  if (!box) return;
  var bar = box.querySelector("progress");
  function show(selector, visible) { box.querySelector(selector).hidden = !visible; }
  function poll() {
    fetch(box.dataset.stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.value = job.percent;
        bar.textContent = job.percent + " %";
        box.querySelector("[data-job-status]").textContent = job.status_label;
        box.querySelector("[data-job-count]").textContent =
          job.total ? "(" + job.done + " / " + job.total + " inscriptions)" : "";
        var working = job.status === "queued" || job.status === "running";
        show("[data-job-download]", job.status === "done");
        show("[data-job-wait]", working);
        if (job.error) {
          box.querySelector("[data-job-error]").textContent = job.error;
          show("[data-job-error]", true);
        }
        if (working) window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });  // the network comes back
  }
  poll();
})();
