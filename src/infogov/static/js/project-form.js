/* Progressive enhancement; the form works without it. Mandatory standards of the chosen category are
   checked (第十二条); the funding fields of the other kind are hidden (第三条). */
(function () {
  "use strict";
  var form = document.getElementById("project-form");
  if (!form) return;
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
  var category = form.querySelector("[name=category]");
  function checkMandatory() {
    form.querySelectorAll("input[name=standards][data-mandatory='1']").forEach(function (box) {
      var cats = box.getAttribute("data-categories");
      if (!cats || cats.split(" ").indexOf(category.value) >= 0) box.checked = true;
    });
  }
  if (category) category.addEventListener("change", checkMandatory);
  function showFunding() {
    var chosen = form.querySelector("[name=funding_kind]:checked");
    var kind = chosen ? chosen.value : "";
    form.querySelectorAll("[data-funding]").forEach(function (el) {
      el.hidden = kind !== "" && el.getAttribute("data-funding") !== kind;
    });
  }
  form.querySelectorAll("[name=funding_kind]").forEach(function (r) { r.addEventListener("change", showFunding); });
  showFunding();
})();
