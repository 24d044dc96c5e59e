// Background jobs on any studio page: every [data-job-id] (templates/studio/_job.html)
// polls its JSON status (/studio/jobs/<id>.json, the API's job shape), updates its
// progress bar and status text, announces the end in a live region, and stops when the
// job is done or failed. A page with [data-job-details] around the job (the job page)
// then reloads that part in place to show the result or the reason of the failure.
(function () {
  "use strict";
  var INTERVAL = 1000; // ms between polls while a job runs
  var SLOW_INTERVAL = 4000; // after a network error or while waiting in the queue long
  var FINISHED = { done: true, failed: true };
  var announcer = null;

  function announce(text) {
    if (!announcer) {
      announcer = document.createElement("div");
      announcer.className = "visually-hidden";
      announcer.setAttribute("aria-live", "polite");
      announcer.setAttribute("data-job-announcer", "");
      document.body.appendChild(announcer);
    }
    announcer.textContent = "";
    // A fresh text node after a tick, so screen readers announce a repeated message too.
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // The same words and percentage as _job.html's job_status_text and Job.percent.
  function percent(job) {
    if (job.status === "done") { return 100; }
    var total = job.progress.total;
    if (!total) { return 0; }
    return Math.max(0, Math.min(100, Math.floor(job.progress.done * 100 / total)));
  }

  function statusText(job) {
    switch (job.status) {
      case "queued": return "Waiting to start";
      case "running":
        return "Running" + (job.progress.total ? ": " + job.progress.done + " of " +
          job.progress.total : "") + " (" + percent(job) + " %)";
      case "done": return "Done";
      default: return "Failed";
    }
  }

  function show(element, job) {
    var bar = element.querySelector("[role=progressbar]");
    var value = percent(job);
    if (bar) {
      bar.setAttribute("aria-valuenow", String(value));
      var fill = bar.firstElementChild;
      if (fill) { fill.style.width = value + "%"; }
    }
    var status = element.querySelector("[data-job-status]");
    if (status) { status.textContent = statusText(job); }
  }

  function refreshDetails(element) {
    var details = element.closest("[data-job-details]");
    if (!details) { return; }
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelector("[data-job-details]");
        if (fresh) { details.replaceWith(document.importNode(fresh, true)); }
      })
      .catch(function () { /* the Refresh link still works */ });
  }

  function follow(element) {
    var id = element.getAttribute("data-job-id");
    var url = "/studio/jobs/" + encodeURIComponent(id) + ".json";
    var first = true;

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) {
          // Gone, not ours, or signed out (redirected to the login page): stop.
          if (answer.status === 404 || answer.status === 403 || answer.redirected) { return null; }
          if (!answer.ok) { throw new Error("status " + answer.status); }
          return answer.json();
        })
        .then(function (job) {
          if (!job) { return; }
          show(element, job);
          if (FINISHED[job.status]) {
            if (!first) {
              announce(job.status === "done" ? job.title + ": done." :
                job.title + " failed: " + (job.error || "no reason given") + ".");
              refreshDetails(element);
            }
            return;
          }
          first = false;
          window.setTimeout(poll, job.status === "queued" ? SLOW_INTERVAL / 2 : INTERVAL);
        })
        .catch(function () { first = false; window.setTimeout(poll, SLOW_INTERVAL); });
    }
    poll();
  }

  function start() {
    document.querySelectorAll("[data-job-id]").forEach(function (element) {
      var bar = element.querySelector("[role=progressbar]");
      var fill = bar && bar.firstElementChild;
      if (fill) { fill.style.width = (bar.getAttribute("aria-valuenow") || "0") + "%"; }
      follow(element);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
