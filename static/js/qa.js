// Q&A enhancements (progressive: every form works without this file).
// - While the title of a new question is typed, similar questions appear under it (a live region).
// - Vote buttons update the score in place instead of reloading the page.
(function () {
  "use strict";

  function setupSimilar(input) {
    var url = input.dataset.similarUrl;
    var output = document.querySelector("[data-similar-output]");
    if (!url || !output || !window.fetch) { return; }
    var check = document.querySelector("[data-similar-check]");
    if (check) { check.hidden = true; }  // suggestions come by themselves now
    var timer = null;
    var lastAsked = "";
    function ask() {
      var title = input.value.trim();
      if (title.length < 4) { output.innerHTML = ""; lastAsked = ""; return; }
      if (title === lastAsked) { return; }
      lastAsked = title;
      fetch(url + "?title=" + encodeURIComponent(title), {
        credentials: "same-origin", headers: { "Accept": "text/html" }
      }).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        // Ignore answers to titles typed over since; the fragment is rendered and escaped by the server.
        if (title === input.value.trim()) { output.innerHTML = html; }
      }).catch(function () { /* suggestions are a nicety: stay quiet */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 350);
    });
    if (input.value.trim().length >= 4) { ask(); }
  }

  function setupVote(form) {
    if (!window.fetch) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = form.closest("[data-vote]");
      var buttons = box.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("vote refused"); }
        return response.json();
      }).then(function (data) {
        box.querySelector("[data-vote-score]").textContent = data.score;
        var up = box.querySelectorAll("form")[0];
        var down = box.querySelectorAll("form")[1];
        up.querySelector("[name=value]").value = data.value === 1 ? "0" : "1";
        down.querySelector("[name=value]").value = data.value === -1 ? "0" : "-1";
        var upButton = up.querySelector("button");
        var downButton = down.querySelector("button");
        upButton.setAttribute("aria-pressed", data.value === 1 ? "true" : "false");
        downButton.setAttribute("aria-pressed", data.value === -1 ? "true" : "false");
        upButton.setAttribute("aria-label", data.value === 1 ? t("Withdraw your up vote") : t("Vote up: this is useful"));
        downButton.setAttribute("aria-label",
          data.value === -1 ? t("Withdraw your down vote") : t("Vote down: this is not useful"));
      }).catch(function () {
        form.submit();  // let the server explain what went wrong
      }).finally(function () {
        buttons.forEach(function (b) { b.disabled = false; });
      });
    });
  }

  document.querySelectorAll("[data-similar-url]").forEach(setupSimilar);
  document.querySelectorAll("[data-vote-form]").forEach(setupVote);
})();
