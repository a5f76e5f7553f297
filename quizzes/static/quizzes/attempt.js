// Attempt page enhancements. Everything works without this file (the form posts and saves);
// with it: autosave after each change and when the tab hides or closes, a countdown from the
// server's deadline, accessible tabs for the case chart, and optional dragging of words.
(function () {
  "use strict";

  var form = document.getElementById("attempt-form");
  var statusBox = document.getElementById("autosave-status");
  var dirty = false;
  var timer = null;
  var inFlight = false;
  var again = false;

  function csrfToken() {
    var field = form && form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function say(text) {
    if (statusBox) { statusBox.textContent = text; }
  }

  function clock() {
    var now = new Date();
    return String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
  }

  function handle(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (body.state === "submitted" && body.review_url) {
        window.location.assign(body.review_url);
        return;
      }
      if (response.ok) {
        say("Saved at " + clock() + ".");
      } else if (body.problems && Object.keys(body.problems).length) {
        var lists = Object.keys(body.problems).map(function (k) { return body.problems[k].join(" "); });
        say("Not saved: " + lists.join(" "));
      } else {
        say("Not saved: " + (body.message || "the server refused the answer") + ". Use the Save button.");
        dirty = true;
      }
    });
  }

  function save() {
    if (!form) { return; }
    if (inFlight) { again = true; return; }
    inFlight = true;
    dirty = false;
    say("Saving…");
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(handle).catch(function () {
      dirty = true;
      say("Not saved: no connection. Your answer will be saved when you press Save or move on.");
    }).then(function () {
      inFlight = false;
      if (again) { again = false; save(); }
    });
  }

  // When the page is going away, a normal fetch may be cancelled: use keepalive or a beacon.
  function flush() {
    if (!form || !dirty) { return; }
    dirty = false;
    var data = new FormData(form);
    var sent = false;
    try {
      fetch(form.dataset.autosaveUrl, {
        method: "POST", body: data, credentials: "same-origin", keepalive: true,
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      });
      sent = true;
    } catch (err) { sent = false; }
    if (!sent && navigator.sendBeacon) {
      navigator.sendBeacon(form.dataset.autosaveUrl, data);  // csrf_token travels in the form
    }
  }

  function changed() {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 400);
  }

  // The flag box is saved with the answers; mirror it in the question navigation at once.
  function flagged(event) {
    var box = event.target;
    if (!box.name || box.name.indexOf("flag-") !== 0) { return; }
    var nav = form.querySelector(".nav-q[aria-current=step]");
    if (!nav) { return; }
    nav.classList.toggle("nav-flagged", box.checked);
    var mark = nav.querySelector(".nav-flag");
    if (box.checked && !mark) {
      mark = document.createElement("span");
      mark.className = "nav-flag";
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = "\u2691";
      nav.appendChild(mark);
    } else if (!box.checked && mark) {
      mark.remove();
    }
    var words = nav.querySelectorAll(".visually-hidden");
    var hidden = words[words.length - 1];
    if (hidden) {
      hidden.textContent = hidden.textContent.replace(", flagged", "")
        .replace(", current", (box.checked ? ", flagged" : "") + ", current");
    }
  }

  if (form) {
    form.addEventListener("change", flagged);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { dirty = false; window.clearTimeout(timer); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { flush(); }
    });
    window.addEventListener("pagehide", flush);
  }

  // Countdown: seconds come from the server, so a wrong clock on this computer does not matter.
  var timerBox = document.getElementById("quiz-timer");
  if (timerBox) {
    var alertBox = document.getElementById("quiz-timer-alert");
    var value = timerBox.querySelector(".quiz-timer-value");
    var endsAt = Date.now() + Number(timerBox.dataset.secondsLeft) * 1000;
    var warned = {};
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      value.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      [300, 60].forEach(function (mark) {
        if (left <= mark && !warned[mark] && alertBox) {
          warned[mark] = true;
          alertBox.textContent = (mark / 60) + (mark === 60 ? " minute" : " minutes") + " left.";
        }
      });
      if (left <= 60) { timerBox.classList.add("timer-low"); }
      if (left <= 0) {
        window.clearInterval(ticking);
        if (dirty) { flush(); }
        // The server submits the saved answers; reloading shows the result.
        window.setTimeout(function () { window.location.reload(); }, 1500);
      }
    };
    var ticking = window.setInterval(tick, 1000);
    tick();
  }

  // Case chart: turn the stacked sections into tabs (ARIA Authoring Practices tabs pattern).
  Array.prototype.forEach.call(document.querySelectorAll("[data-chart-tabs]"), function (chart) {
    var panels = chart.querySelectorAll(".chart-panel");
    if (panels.length < 2) { return; }
    var list = document.createElement("div");
    list.className = "chart-tablist";
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", "Client chart");
    var tabs = [];
    function select(index, focus) {
      tabs.forEach(function (tab, i) {
        var on = i === index;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.tabIndex = on ? 0 : -1;
        panels[i].hidden = !on;
      });
      if (focus) { tabs[index].focus(); }
    }
    Array.prototype.forEach.call(panels, function (panel, i) {
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = panel.id + "-tab";
      tab.textContent = panel.dataset.label;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      tab.addEventListener("click", function () { select(i, false); });
      tab.addEventListener("keydown", function (event) {
        var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (next === undefined) { return; }
        event.preventDefault();
        select((next + tabs.length) % tabs.length, true);
      });
      tabs.push(tab);
      list.appendChild(tab);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.tabIndex = 0;
      var heading = panel.querySelector(".chart-panel-heading");
      if (heading) { heading.classList.add("visually-hidden"); }
    });
    panels[0].parentNode.insertBefore(list, panels[0]);
    chart.classList.add("chart-tabs-on");
    select(0, false);
  });

  // Optional dragging of words onto gaps; the select in each gap stays the real answer.
  Array.prototype.forEach.call(document.querySelectorAll("[data-dragdrop]"), function (box) {
    Array.prototype.forEach.call(box.querySelectorAll(".token"), function (token) {
      token.setAttribute("draggable", "true");
      token.addEventListener("dragstart", function (event) {
        event.dataTransfer.setData("text/plain", token.dataset.token);
      });
    });
    Array.prototype.forEach.call(box.querySelectorAll(".drop-target"), function (target) {
      target.addEventListener("dragover", function (event) {
        event.preventDefault();
        target.classList.add("drag-over");
      });
      target.addEventListener("dragleave", function () { target.classList.remove("drag-over"); });
      target.addEventListener("drop", function (event) {
        event.preventDefault();
        target.classList.remove("drag-over");
        var select = target.querySelector("select");
        var id = event.dataTransfer.getData("text/plain");
        if (select && select.querySelector('option[value="' + CSS.escape(id) + '"]')) {
          select.value = id;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    });
  });
})();
