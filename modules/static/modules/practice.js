// Progressive enhancement for practice items: check answers without a page reload.
// Without this file every form still works: it posts, and the server redirects back to the
// item's feedback. With it, the same form is sent with fetch and the feedback is swapped in.
(function () {
  "use strict";

  function focusFeedback(region) {
    if (region) { region.focus({ preventScroll: false }); }
  }

  function updateProgress(progress) {
    if (!progress) { return; }
    var status = document.querySelector("[data-module-status]");
    if (status) {
      status.textContent = progress.text + "." + (progress.complete ? " Module complete." : "");
    }
  }

  function submit(event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("practice-form") || !window.fetch) { return; }
    var region = document.getElementById(form.getAttribute("data-feedback"));
    if (!region) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (reply) {
      if (!reply.ok) {
        region.innerHTML = "";
        var p = document.createElement("p");
        p.className = "notice notice-error";
        p.textContent = reply.data.message || "The answer could not be checked. Reload the page and try again.";
        region.appendChild(p);
      } else {
        region.innerHTML = reply.data.html;
        updateProgress(reply.data.progress);
      }
      focusFeedback(region);
    }).catch(function () {
      // Network or parsing trouble: fall back to an ordinary form post.
      form.submit();
    }).then(function () {
      if (button) { button.disabled = false; }
    });
  }

  document.addEventListener("submit", submit);

  // After a no-script style post (or a shared link), move focus to the feedback it points at.
  window.addEventListener("load", function () {
    var id = window.location.hash.slice(1);
    if (id.indexOf("feedback-") === 0) { focusFeedback(document.getElementById(id)); }
  });
})();
