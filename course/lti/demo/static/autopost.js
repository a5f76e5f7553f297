// Submit the signed launch form as soon as it loads (external file: the CSP forbids inline script).
document.getElementById("autopost").submit();
