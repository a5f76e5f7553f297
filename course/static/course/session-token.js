// Cookieless mode (the browser blocks the tool's cookies in the LMS frame): the server already
// puts the session token in every link and form action it renders; this carries it where the
// server cannot: GET forms (their fields replace the action's query) and fetch() calls, as a
// header. Only for the tool's own origin, so the token never leaves it.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="course-session"]');
  if (!meta || !meta.content) { return; }
  var token = meta.content;
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    var method = (form.getAttribute("method") || "get").toLowerCase();
    var action = new URL(form.action || window.location.href, window.location.href);
    if (method !== "get" || action.origin !== window.location.origin || form.elements.cst) { return; }
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "cst";
    input.value = token;
    form.appendChild(input);
  });
  var original = window.fetch;
  if (!original) { return; }
  window.fetch = function (resource, init) {
    var url = new URL(typeof resource === "string" ? resource : resource.url, window.location.href);
    if (url.origin === window.location.origin) {
      init = init || {};
      var headers = new Headers(init.headers || (typeof resource === "string" ? undefined : resource.headers));
      headers.set("X-Course-Session", token);
      init.headers = headers;
    }
    return original.call(this, resource, init);
  };
})();
