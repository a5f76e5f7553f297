// Show every <time data-local> in the reader's own time zone (the browser's, or the one the
// platform sent as <html data-tz>); the server's UTC text stays in the title, shown on hover.
(function () {
  "use strict";
  var zone = document.documentElement.getAttribute("data-tz") || undefined;
  var both = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" };
  var timeOnly = { hour: "2-digit", minute: "2-digit" };
  document.querySelectorAll("time[data-local][datetime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    var options = Object.assign({ timeZone: zone, timeZoneName: "short" },
                                el.getAttribute("data-local") === "time" ? timeOnly : both);
    try {
      el.textContent = new Intl.DateTimeFormat(undefined, options).format(when);
    } catch (e) {
      return;  // an unknown zone name: keep the UTC text
    }
    if (!el.title) { el.title = el.getAttribute("datetime"); }
  });
})();
