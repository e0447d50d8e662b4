// Blog enhancements (progressive: every form works without this file).
// - Inline images: upload from the editor and insert the Markdown at the cursor.
// - Comments: "Reply to <name>" opens a reply form under that comment; Cancel closes it.
(function () {
  "use strict";

  // The editor's own Preview button (editor.js) replaces the server round-trip one.
  if (document.querySelector("[data-editor-preview]") && window.fetch) {
    document.querySelectorAll("[data-server-preview]").forEach(function (button) { button.hidden = true; });
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart || textarea.value.length;
    var end = textarea.selectionEnd || start;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var insert = lead + text + "\n\n";
    textarea.value = before + insert + after;
    var caret = before.length + insert.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
  }

  document.querySelectorAll("[data-inline-upload]").forEach(function (box) {
    var form = box.closest("form");
    var file = box.querySelector("input[type='file']");
    var alt = box.querySelector("input[name='image_alt']");
    var status = box.querySelector("[data-upload-status]");
    var button = box.querySelector("[name='insert_image']");
    var textarea = form && form.querySelector("textarea[name='body']");
    if (!form || !file || !button || !textarea || !window.fetch) { return; }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (!file.files.length) { status.textContent = t("Choose an image file first."); file.focus(); return; }
      var data = new FormData();
      data.append("image", file.files[0]);
      data.append("alt", alt ? alt.value : "");
      button.disabled = true;
      status.textContent = t("Uploading…");
      fetch(box.dataset.uploadUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": box.dataset.csrf || "", "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      }).then(function (result) {
        if (!result.ok) { status.textContent = result.json.error || t("That image couldn't be uploaded."); return; }
        insertAtCursor(textarea, result.json.markdown);
        file.value = "";
        if (alt) { alt.value = ""; }
        status.textContent = t("Image added to your text.");
      }).catch(function () {
        status.textContent = t("The upload didn't work. Your text is safe; please try again.");
      }).finally(function () { button.disabled = false; });
    });
  });

  var template = document.getElementById("reply-template");
  var openForm = null;
  var openLink = null;
  function closeReply(focusLink) {
    if (openForm) { openForm.remove(); }
    if (focusLink && openLink) { openLink.focus(); }
    openForm = null;
    openLink = null;
  }
  if (template && template.content) {
    document.querySelectorAll("[data-reply-to]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        closeReply(false);
        var form = template.content.firstElementChild.cloneNode(true);
        var id = link.dataset.replyTo;
        form.querySelector("input[name='parent_id']").value = id;
        // The template's composer is named for comment 0: its textarea, label, toolbar, hint and draft are
        // renamed for this comment before it is set up.
        [form].concat(Array.from(form.querySelectorAll("*"))).forEach(function (node) {
          Array.from(node.attributes).forEach(function (attr) {
            if (attr.value.indexOf("reply-body-0") !== -1) {
              node.setAttribute(attr.name, attr.value.split("reply-body-0").join("reply-body-" + id));
            }
          });
        });
        var editor = form.querySelector("[data-composer]");
        if (editor && editor.dataset.draftUrl) {
          editor.dataset.draftUrl = editor.dataset.draftUrl.replace(/(reply(?::|%3A)post(?::|%3A))0$/i, "$1" + id);
        }
        var textarea = form.querySelector("textarea");
        var label = form.querySelector("[data-reply-label]");
        // The link already says "Reply to <name>" in the member's language (the server wrote it).
        label.textContent = link.textContent.trim();
        form.querySelector("[data-cancel-reply]").addEventListener("click", function () { closeReply(true); });
        var article = link.closest("article");
        article.insertAdjacentElement("afterend", form);
        openForm = form;
        openLink = link;
        if (editor && window.communitySetupComposer) { window.communitySetupComposer(editor); }
        textarea.focus();
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && openForm && openForm.contains(document.activeElement)) { closeReply(true); }
    });
  }
})();
