// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  // Ask before destructive one-button forms (data-confirm="...").
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // A picture over the size limit is refused before it is sent (data-max-bytes, data-too-large: the server's
  // words): a request over the server's limit is refused unread, and the rest of the form with it.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.maxBytes) { return; }
    var max = Number(input.dataset.maxBytes);
    var big = Array.prototype.some.call(input.files || [], function (file) { return file.size > max; });
    input.setCustomValidity(big ? input.dataset.tooLarge || "" : "");
    if (big) { input.reportValidity(); }
  });
  // Close the account menu when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) { summary.focus(); }
    });
  });
})();
