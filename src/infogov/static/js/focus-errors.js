/* Moves focus to the form's error summary, when there is one (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";
  var s = document.getElementById("form-errors");
  if (s) s.focus();
})();
