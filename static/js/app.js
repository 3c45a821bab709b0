// The only script of the pages (the CSP allows no inline script): a select marked
// data-autosubmit sends its form when changed (the GP switch). Without it the form's
// <noscript> button does the same.
document.addEventListener("change", function (e) {
  var t = e.target;
  if (t && t.matches && t.matches("select[data-autosubmit]") && t.form) {
    t.form.submit();
  }
});
