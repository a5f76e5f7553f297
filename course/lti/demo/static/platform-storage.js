// The demo platform's side of LTI Client Side postMessages: lti.capabilities, lti.put_data and
// lti.get_data (LTI Platform Storage), answered only to the framed tool's own origin; plus
// lti.frameResize. With the storage switch off it stays silent, like Moodle 4.5.
(function () {
  "use strict";
  var frame = document.querySelector("iframe[data-tool-origin]");
  if (!frame) { return; }
  var toolOrigin = frame.dataset.toolOrigin;
  var stored = {};  // per tool origin, in this page's memory: enough for its launches
  function storageOn() {
    var choice = document.querySelector('input[name="storage"]:checked');
    return !choice || choice.value === "on";
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== toolOrigin || event.source !== frame.contentWindow) { return; }
    var m = event.data;
    if (typeof m === "string") { try { m = JSON.parse(m); } catch (e) { return; } }
    if (!m || typeof m.subject !== "string") { return; }
    if (m.subject === "lti.frameResize" && m.height > 0) {
      frame.style.height = Math.min(Math.ceil(m.height), 20000) + "px";
      return;
    }
    if (!m.message_id || !storageOn()) { return; }
    var bucket = stored[event.origin] = stored[event.origin] || {};
    var reply = { subject: m.subject + ".response", message_id: m.message_id };
    if (m.subject === "lti.capabilities") {
      reply.supported_messages = [{ subject: "lti.capabilities" }, { subject: "lti.put_data" },
                                  { subject: "lti.get_data" }];
    } else if (m.subject === "lti.put_data" || m.subject === "lti.get_data") {
      reply.key = m.key;
      if (typeof m.key !== "string" || m.key.length > 256) {
        reply.error = { code: "bad_request", message: "key must be a short string" };
      } else if (m.subject === "lti.put_data") {
        bucket[m.key] = String(m.value).slice(0, 4096);
        reply.value = bucket[m.key];
      } else if (Object.prototype.hasOwnProperty.call(bucket, m.key)) {
        reply.value = bucket[m.key];
      } else {
        reply.error = { code: "not_found", message: "no value for this key" };
      }
    } else {
      reply.error = { code: "unsupported_subject", message: "not supported" };
    }
    event.source.postMessage(reply, event.origin);
  });
})();
