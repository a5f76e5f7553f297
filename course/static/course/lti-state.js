// OIDC state without cookies (LTI Client Side postMessages and Platform Storage).
// Login step: store state and nonce in the platform (lti.put_data) and, where the browser
// allows it, in this frame's sessionStorage; then go on to the platform. Launch step: read
// them back (lti.get_data, else sessionStorage) and post them to the tool with the id_token.
(function () {
  "use strict";
  var el = document.getElementById("lti-state");
  if (!el) { return; }
  var d = el.dataset;
  var stateKey = "lti1p3_state_" + d.state;
  var nonceKey = "lti1p3_nonce_" + d.nonce;

  function platformWindow(frame) {
    if (window.parent === window) { return null; }
    var name = frame || d.target;
    if (!name || name === "_parent") { return window.parent; }
    try { return window.parent.frames[name] || null; } catch (e) { return null; }
  }

  // One request/response exchange; resolves with the response, or null on error or timeout.
  function ask(target, subject, extra, ms) {
    return new Promise(function (resolve) {
      if (!target) { resolve(null); return; }
      var id = subject + "-" + Math.random().toString(36).slice(2);
      var timer = window.setTimeout(function () { finish(null); }, ms);
      function finish(value) {
        window.clearTimeout(timer);
        window.removeEventListener("message", receive);
        resolve(value);
      }
      function receive(event) {
        if (event.origin !== d.origin) { return; }  // only the platform may answer
        var m = event.data;
        if (typeof m === "string") { try { m = JSON.parse(m); } catch (e) { return; } }
        if (!m || m.message_id !== id || m.subject !== subject + ".response") { return; }
        finish(m.error ? null : m);
      }
      window.addEventListener("message", receive);
      var message = { subject: subject, message_id: id };
      Object.keys(extra).forEach(function (k) { message[k] = extra[k]; });
      target.postMessage(message, d.origin);
    });
  }

  // The window that answers lti.put_data/get_data, per lti.capabilities; null without storage.
  function storageWindow() {
    if (!d.target) { return Promise.resolve(null); }
    var target = platformWindow();
    return ask(target, "lti.capabilities", {}, 1500).then(function (caps) {
      var found = null;
      ((caps && caps.supported_messages) || []).forEach(function (m) {
        if (m.subject === "lti.get_data" || m.subject === "lti.put_data") { found = m; }
      });
      return found ? platformWindow(found.frame) : null;
    });
  }

  function local() {
    try { return window.sessionStorage; } catch (e) { return null; }  // blocked with 3P cookies
  }

  function login() {
    var s = local();
    if (s) { try { s.setItem(stateKey, d.state); s.setItem(nonceKey, d.nonce); } catch (e) { /* full */ } }
    storageWindow().then(function (w) {
      if (!w) { return null; }
      return Promise.all([ask(w, "lti.put_data", { key: stateKey, value: d.state }, 2000),
                          ask(w, "lti.put_data", { key: nonceKey, value: d.nonce }, 2000)]);
    }).then(function () { window.location.replace(d.redirect); });
  }

  function launch() {
    var form = document.getElementById("lti-state-form");
    function send(found, state, nonce) {
      form.elements.lti_storage_found.value = found;
      form.elements.lti_storage_state.value = state || "";
      form.elements.lti_storage_nonce.value = nonce || "";
      form.submit();
    }
    storageWindow().then(function (w) {
      if (!w) { return null; }
      return Promise.all([ask(w, "lti.get_data", { key: stateKey }, 2000),
                          ask(w, "lti.get_data", { key: nonceKey }, 2000)]);
    }).then(function (got) {
      if (got && got[0] && got[1] && got[0].value === d.state) {
        send("platform", got[0].value, got[1].value);
        return;
      }
      var s = local();
      if (!s) { send("none"); return; }
      var state = s.getItem(stateKey), nonce = s.getItem(nonceKey);
      s.removeItem(stateKey); s.removeItem(nonceKey);
      send(state ? "local" : "missing", state, nonce);
    });
  }

  if (d.step === "login") { login(); } else { launch(); }
})();
