// The offer of the browser's time zone, for a member who never chose one (community/auth/views.py puts the
// empty, hidden #timezone-offer on the page only then). Without JavaScript there is no offer: the account page
// has the zone chooser. Both buttons are real CSRF forms (POST /account/timezone); sent from here by fetch,
// they fall back to an ordinary submit if that fails. The CSRF token is the page's own (the header's sign-out
// form carries it), so the page's main content is the same for every request.
(function () {
  "use strict";
  var box = document.getElementById("timezone-offer");
  if (!box || !window.Intl || !window.fetch) { return; }
  var browser = "";
  try { browser = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { return; }
  var current = box.dataset.zone || "UTC";
  var token = document.querySelector("input[name=csrf_token]");
  if (!browser || browser === current) { return; }
  function label(zone) { return zone.replace(/_/g, " "); }
  function hidden(form, name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  function choiceForm(choice, text, className) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = box.dataset.action;
    form.className = "inline-form";
    hidden(form, "csrf_token", token ? token.value : "");
    hidden(form, "choice", choice);
    hidden(form, "timezone", browser);
    hidden(form, "next", window.location.pathname + window.location.search);
    var button = document.createElement("button");
    button.type = "submit";
    button.className = className;
    button.textContent = text;
    form.appendChild(button);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        if (choice === "use") { window.location.reload(); } else { box.remove(); }
      }).catch(function () { form.submit(); });
    });
    return form;
  }
  var text = document.createElement("p");
  text.textContent = t("Your browser says your time zone is %(zone)s. Use it?", { zone: label(browser) });
  var actions = document.createElement("div");
  actions.className = "timezone-offer-actions";
  actions.appendChild(choiceForm("use", t("Use %(zone)s", { zone: label(browser) }), "button small"));
  actions.appendChild(choiceForm("keep", t("Keep %(zone)s", { zone: label(current) }), "button secondary small"));
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", t("Your time zone"));
  box.appendChild(text);
  box.appendChild(actions);
  box.hidden = false;
})();
