// Dynamic registration is over: ask the LMS to close its dialog (LTI Dynamic Registration 1.0,
// section 3.7). The opener (a pop-up) or the parent (an iframe) is the platform's page.
(function () {
  var target = window.opener || (window.parent !== window ? window.parent : null);
  if (target) {
    target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
})();
