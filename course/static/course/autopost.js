// Post an LTI message form on as soon as the page loads (id_token launches, deep-linking replies).
var form = document.querySelector("form[data-autopost]");
if (form) { form.submit(); }
