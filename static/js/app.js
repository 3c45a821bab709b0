// The only script of the pages (the CSP allows no inline script): a select marked
// data-autosubmit sends its form when changed (the GP switch). Without it the form's
// <noscript> button does the same.
// A fieldset marked data-show-if="name=value" is shown (and sent) only while the form's
// field `name` holds `value` (the metered or flat-rate fields of a household, its dues or
// advance); without the script every fieldset shows and the server ignores the others.
function showIf(form) {
  var sets = form.querySelectorAll("fieldset[data-show-if]");
  for (var i = 0; i < sets.length; i++) {
    var rule = sets[i].getAttribute("data-show-if").split("=");
    var field = form.elements[rule[0]];
    var off = !field || field.value !== rule[1];
    sets[i].hidden = off;
    sets[i].disabled = off;
  }
}
document.addEventListener("change", function (e) {
  var t = e.target;
  if (t && t.matches && t.matches("select[data-autosubmit]") && t.form) {
    t.form.submit();
  }
  if (t && t.form && t.form.querySelector("fieldset[data-show-if]")) {
    showIf(t.form);
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var forms = document.querySelectorAll("form");
  for (var i = 0; i < forms.length; i++) {
    if (forms[i].querySelector("fieldset[data-show-if]")) {
      showIf(forms[i]);
    }
  }
});
