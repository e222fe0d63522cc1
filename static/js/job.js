// Follow a background job: move the progress bar until its file or its summary is there.
(function () {
  var box = document.querySelector("[data-state-url]");
  if (!box) return;
  var bar = box.querySelector("progress");
  function show(selector, visible) {
    var element = box.querySelector(selector);
    if (element) element.hidden = !visible;
  }
  function poll() {
    fetch(box.dataset.stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.value = job.percent;
        bar.textContent = job.percent + " %";
        box.querySelector("[data-job-status]").textContent = job.status_label;
        box.querySelector("[data-job-count]").textContent = job.steps;
        var working = job.status === "queued" || job.status === "running";
        show("[data-job-download]", job.status === "done");
        show("[data-job-wait]", working);
        show("[data-job-retry]", job.status === "failed");
        if (job.summary) box.querySelector("[data-job-summary-text]").textContent = job.summary;
        show("[data-job-summary]", Boolean(job.summary));
        if (job.error) box.querySelector("[data-job-error]").textContent = job.error;
        show("[data-job-error]", Boolean(job.error));
        if (working) window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });  // the network comes back
  }
  poll();
})();
