// The phone header: the navigation and search fold behind a "Menu" button. Without this file (or without
// JavaScript) the html element never gets the nav-js class, and the CSS keeps the navigation open.
(function () {
  "use strict";
  document.documentElement.classList.add("nav-js");

  function setOpen(button, open) {
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (panel) { panel.classList.toggle("is-open", open); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("[data-nav-toggle]");
    if (button) { setOpen(button, button.getAttribute("aria-expanded") !== "true"); }
  });
  // Escape closes an open menu and puts the focus back on its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("[data-nav-toggle][aria-expanded='true']").forEach(function (button) {
      setOpen(button, false);
      button.focus();
    });
  });
})();
