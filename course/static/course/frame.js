// Tell the LMS how tall the page is so its iframe fits without a second scrollbar.
// Canvas and Moodle both honour the lti.frameResize postMessage.
(function () {
  "use strict";
  var last = 0;
  function send() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last || window.parent === window) { return; }
    last = height;
    window.parent.postMessage(JSON.stringify({ subject: "lti.frameResize", height: height }), "*");
    window.parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
  }
  window.addEventListener("load", send);
  if (window.ResizeObserver) { new ResizeObserver(send).observe(document.body); }
  else { window.addEventListener("resize", send); }
})();
