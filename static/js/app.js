// The pages' only script (no inline script under the CSP): a select[data-autosubmit] sends its
// form (the GP switch); a fieldset[data-show-if="name=value"] is shown and sent only while field
// `name` holds `value`; a form[data-autosubmit-now] (the hand-over to a payment gateway) posts
// itself. Without it: <noscript> buttons, every fieldset shown, the server ignores
// the fields of the other choice.
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
  // the hand-over to a payment gateway posts itself (its button stays for pages without JS)
  var go = document.querySelector("form[data-autosubmit-now]");
  if (go) {
    go.submit();
  }
  var forms = document.querySelectorAll("form");
  for (var i = 0; i < forms.length; i++) {
    if (forms[i].querySelector("fieldset[data-show-if]")) {
      showIf(forms[i]);
    }
  }
});
