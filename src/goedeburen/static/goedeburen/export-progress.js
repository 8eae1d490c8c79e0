// A large export's progress page, progressive enhancement only (without this file the page
// has a refresh link): ask the server how far the file is every two seconds, move the
// progress bar, and reload the page once the file is ready (or failed), which then shows
// the download link. The spoken text changes only every tenth, so as not to talk on and on.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || !window.fetch) return;
  var state = box.getAttribute("data-state");
  if (state === "done" || state === "failed") return;
  var bar = document.getElementById("export-progress");
  var text = document.getElementById("export-progress-text");
  var template = text ? text.textContent : "";
  var lastTenth = -1;

  function show(status) {
    if (bar) {
      bar.max = status.total || 1;
      bar.value = status.done;
      bar.textContent = status.percent + " %";
    }
    var tenth = Math.floor(status.percent / 10);
    if (text && tenth !== lastTenth) {
      lastTenth = tenth;
      // The page's own sentence with its two numbers replaced (it is already translated).
      var numbers = 0;
      text.textContent = template.replace(/\d+/g, function () {
        numbers += 1;
        return numbers === 1 ? status.done : numbers === 2 ? status.total : "";
      });
    }
  }

  function poll() {
    fetch(box.getAttribute("data-status-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) return;
        if (status.state === "done" || status.state === "failed") {
          window.location.reload();
          return;
        }
        show(status);
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
})();
