/* Live preview for the question editor: after a pause in typing, post the form to the preview
   endpoint and show the learner rendering it returns. Without this script the Preview button
   does the same with a full page load. */
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  var body = document.getElementById("preview-body");
  var status = document.getElementById("preview-status");
  if (!form || !body || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var sequence = 0;

  function refresh() {
    var mine = ++sequence;
    var data = new FormData(form);
    data.delete("action");
    fetch(url, { method: "POST", body: data, credentials: "same-origin",
                 headers: { "X-CSRFToken": data.get("csrf_token") || "" } })
      .then(function (resp) { return resp.ok ? resp.text() : Promise.reject(resp.status); })
      .then(function (html) {
        if (mine !== sequence) { return; }  // a newer request is on its way
        body.innerHTML = html;
        status.textContent = "Preview updated.";
      })
      .catch(function () { status.textContent = "The preview could not be updated; use the Preview button."; });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 700);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
