// Markdown editor enhancements (progressive: the forms work without this file).
// - "Preview" posts the text to the preview endpoint and shows the sanitised HTML it returns.
// - "Quote" links on posts insert the selected text (or the whole post) into the reply box.
(function () {
  "use strict";

  function setupPreview(editor) {
    var button = editor.querySelector("[data-editor-preview]");
    var url = editor.dataset.previewUrl;
    if (!button || !url || !window.fetch) { return; }
    var textarea = editor.querySelector("textarea");
    var panel = editor.querySelector(".editor-preview");
    var output = editor.querySelector("[data-editor-output]");
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!panel.hidden) {
        panel.hidden = true;
        button.textContent = t("Preview");
        button.setAttribute("aria-expanded", "false");
        textarea.focus();
        return;
      }
      var body = new FormData();
      body.append("text", textarea.value);
      button.disabled = true;
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": editor.dataset.csrf || "", "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          // The server returns HTML that went through the same sanitiser as stored posts.
          if (result.data.html) {
            output.innerHTML = result.data.html;
          } else {
            output.innerHTML = "<p class=\"muted\"></p>";
            output.firstChild.textContent = t("Nothing to preview yet.");
          }
        } else {
          output.textContent = result.data.error || t("The preview isn't available right now.");
        }
        panel.hidden = false;
        button.textContent = t("Hide preview");
        button.setAttribute("aria-expanded", "true");
      }).catch(function () {
        output.textContent = t("The preview isn't available right now. Your text is safe.");
        panel.hidden = false;
      }).finally(function () {
        button.disabled = false;
      });
    });
  }

  function quoteText(text, author) {
    var lines = text.replace(/\r\n/g, "\n").trim().split("\n");
    var quoted = lines.map(function (line) { return "> " + line; }).join("\n");
    return (author ? t("%(name)s wrote:", { name: author }) + "\n" : "") + quoted + "\n\n";
  }

  function caretAfter(textarea) {
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  }

  function setupQuotes() {
    var reply = document.querySelector("[data-reply-box] textarea");
    if (!reply) { return; }
    // The server's quote (the link followed without a selection) fills the box: the caret goes after it,
    // on the new line below, ready to answer (not at the start, above the quote).
    if (/[?&]quote=\d/.test(window.location.search) && reply.value) {
      if (!/\n$/.test(reply.value)) { reply.value += "\n"; }
      // After the page's load, when the browser has scrolled to #reply (which would otherwise take the focus).
      if (document.readyState === "complete") { caretAfter(reply); }
      else { window.addEventListener("load", function () { caretAfter(reply); }, { once: true }); }
    }
    document.querySelectorAll("[data-quote]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var post = link.closest("article");
        var selection = window.getSelection ? String(window.getSelection()) : "";
        var body = post && post.querySelector("[data-post-body]");
        // Quote the selection when it lies inside this post; otherwise let the link load the server's quote.
        if (!selection || !body || !body.contains(window.getSelection().anchorNode)) { return; }
        event.preventDefault();
        var prefix = reply.value && !/\n\n$/.test(reply.value) ? "\n\n" : "";
        reply.value += prefix + quoteText(selection, link.dataset.quoteAuthor);
        caretAfter(reply);
        reply.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
  }

  document.querySelectorAll("[data-editor]").forEach(setupPreview);
  setupQuotes();
})();
