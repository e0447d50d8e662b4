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
  // A picture over the size limit is refused before it is sent (data-max-bytes; data-too-large holds the
  // server's own words): a request over the server's limit is refused unread, and the rest of the form with it.
  function isPicture(input) {
    return input instanceof HTMLInputElement && input.type === "file" && !!input.dataset.maxBytes;
  }
  function tooLarge(input) {
    var max = Number(input.dataset.maxBytes);
    return Array.prototype.some.call(input.files || [], function (file) { return file.size > max; });
  }
  function sizeNote(input, show) {
    var field = input.closest(".field");
    var id = input.id + "-size-error";
    var note = document.getElementById(id);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== id;
    });
    if (show) {
      if (!note) {
        note = document.createElement("p");
        note.className = "error";
        note.id = id;
        note.setAttribute("role", "alert");
        field.appendChild(note);
      }
      note.textContent = input.dataset.tooLarge || "";
      described.push(id);
      input.setAttribute("aria-invalid", "true");
    } else if (note) {
      note.remove();
      if (!field.querySelector(".error")) { input.removeAttribute("aria-invalid"); }
    }
    field.classList.toggle("has-error", !!field.querySelector(".error"));
    if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
    else { input.removeAttribute("aria-describedby"); }
  }
  document.addEventListener("change", function (event) {
    if (isPicture(event.target)) { sizeNote(event.target, tooLarge(event.target)); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var big = Array.prototype.filter.call(form.querySelectorAll("input[type='file']"), function (input) {
      return isPicture(input) && tooLarge(input);
    });
    if (!big.length) { return; }
    event.preventDefault();
    big.forEach(function (input) { sizeNote(input, true); });
    big[0].focus();
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
  // "Dismiss" on an announcement at the top of home and group pages: sent without leaving the page (the form
  // works without this too: it comes back to the same page). Focus moves to the next one, or to the page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-dismiss-announcement") || !window.fetch) {
      return;
    }
    event.preventDefault();
    var card = form.closest("[data-announcement]");
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      var section = card && card.parentElement;
      var next = card && (card.nextElementSibling || card.previousElementSibling);
      if (card) { card.remove(); }
      if (section && !section.querySelector("[data-announcement]")) { section.remove(); }
      var target = next && next.matches("[data-announcement]") ? next.querySelector("a") : document.getElementById("main");
      if (target) { target.focus(); }
    }).catch(function () { form.submit(); });
  });
})();
