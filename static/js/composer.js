// The composer (progressive: every form works as a plain Markdown textarea without this file).
// - The formatting toolbar (vendored @github/markdown-toolbar-element) and its keyboard shortcuts.
// - Pasting links, tables and rich text gives Markdown (vendored @github/paste-markdown).
// - Images pasted, dropped or picked with the toolbar's Image button: size checked here first, an alt text
//   asked in a small inline form, then uploaded with a progress bar and inserted as ![alt](url).
// - Drafts kept on the server a moment after typing stops (and on leaving), offered back on return.
// Loaded as a module (after i18n.js, which defines t()).
import "../vendor/markdown-toolbar-element-2.2.3/index.js";
import { subscribe } from "../vendor/paste-markdown-1.5.3/bundle.js";

var SHORTCUTS = {
  "b": "bold", "i": "italic", "k": "link", "e": "code",
  "shift+Digit8": "unordered-list", "shift+Digit7": "ordered-list", "shift+Period": "quote"
};
var SAVE_AFTER_MS = 1500;
var IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

function megabytes(bytes) {
  return (Math.round(bytes / 104857.6) / 10).toLocaleString(document.documentElement.lang || "en");
}

function el(tag, attrs, text) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
  if (text) { node.textContent = text; }
  return node;
}

// Insert at a remembered range, as its own paragraph, and put the caret after it.
function insertBlock(textarea, start, end, text) {
  var before = textarea.value.slice(0, start);
  var after = textarea.value.slice(end);
  var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
  var insert = lead + text + "\n\n";
  textarea.value = before + insert + after.replace(/^\n+/, "");
  var caret = before.length + insert.length;
  textarea.focus();
  textarea.setSelectionRange(caret, caret);
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
}

// Replace the selection as typing would (the browser's undo keeps working), then tell the page it changed.
function typeText(textarea, text) {
  textarea.focus();
  var done = false;
  try { done = document.execCommand("insertText", false, text); } catch (error) { done = false; }
  if (!done) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.setSelectionRange(start + text.length, start + text.length);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

// A table copied from a spreadsheet, Word or a web page as a Markdown table. paste-markdown's own table
// handler keeps the HTML around the table (Word's <html><head><style>…) as text, so tables are done here.
function tableMarkdown(html) {
  if (!/<table/i.test(html)) { return null; }
  var table = new DOMParser().parseFromString(html, "text/html").querySelector("table");
  var rows = table ? Array.from(table.querySelectorAll("tr")) : [];
  if (!rows.length) { return null; }
  function cells(row) {
    return Array.from(row.querySelectorAll("th, td")).map(function (cell) {
      return (cell.textContent || "").replace(/\s+/g, " ").trim().replace(/\|/g, "\\|") || " ";
    });
  }
  var header = cells(rows[0]);
  var width = Math.max.apply(null, rows.map(function (row) { return cells(row).length; }));
  function line(values) {
    var padded = values.slice();
    while (padded.length < width) { padded.push(" "); }
    return "| " + padded.join(" | ") + " |";
  }
  var out = [line(header), line(Array(width).fill("---"))];
  rows.slice(1).forEach(function (row) { out.push(line(cells(row))); });
  return out.join("\n");
}

function setupComposer(editor) {
  var textarea = editor.querySelector("textarea");
  var toolbar = editor.querySelector("[data-composer-toolbar]");
  var status = editor.querySelector("[data-composer-status]");
  if (!textarea || !toolbar || !status) { return; }
  var csrf = editor.dataset.csrf || "";
  var maxBytes = parseInt(editor.dataset.maxBytes || "0", 10);
  toolbar.hidden = false;
  subscribe(textarea);

  function say(message, kind) {
    status.textContent = "";
    status.className = "composer-status" + (kind ? " composer-" + kind : "");
    if (message) { status.appendChild(el("p", {}, message)); }
  }

  // Keyboard shortcuts: Ctrl (Cmd on a Mac) + the key presses the toolbar's button.
  textarea.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) { return; }
    var name = event.shiftKey ? "shift+" + event.code : event.key.toLowerCase();
    var style = SHORTCUTS[name];
    var button = style && toolbar.querySelector("[data-md-button='" + style + "']");
    if (!button) { return; }
    event.preventDefault();
    button.click();
  });

  // Images ---------------------------------------------------------------------------------------
  var picker = el("input", { type: "file", accept: IMAGE_TYPES.join(","), hidden: "", "aria-hidden": "true", tabindex: "-1" });
  editor.appendChild(picker);
  var imageButton = toolbar.querySelector("[data-md-button='composer-image']");
  imageButton.addEventListener("click", function (event) {
    event.preventDefault();
    picker.value = "";
    picker.click();
  });
  picker.addEventListener("change", function () {
    if (picker.files.length) { offerImage(picker.files[0]); }
  });

  textarea.addEventListener("paste", function (event) {
    var files = event.clipboardData ? Array.from(event.clipboardData.files || []) : [];
    var image = files.find(function (f) { return /^image\//.test(f.type); });
    var table = !image && event.clipboardData ? tableMarkdown(event.clipboardData.getData("text/html") || "") : null;
    if (table) {
      event.preventDefault();
      event.stopImmediatePropagation();
      var before = textarea.value.slice(0, textarea.selectionStart);
      var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
      typeText(textarea, lead + table + "\n\n");
      return;
    }
    if (!image) { return; }
    // Ours, not paste-markdown's: a picture is uploaded, its file name is not pasted as text.
    event.preventDefault();
    event.stopImmediatePropagation();
    offerImage(image);
  }, true);
  textarea.addEventListener("dragover", function (event) {
    if (event.dataTransfer && Array.from(event.dataTransfer.types || []).indexOf("Files") !== -1) {
      event.preventDefault();
      editor.classList.add("composer-dropping");
    }
  });
  textarea.addEventListener("dragleave", function () { editor.classList.remove("composer-dropping"); });
  textarea.addEventListener("drop", function (event) {
    editor.classList.remove("composer-dropping");
    var files = event.dataTransfer ? Array.from(event.dataTransfer.files || []) : [];
    if (!files.length) { return; }
    event.preventDefault();
    offerImage(files[0]);
  });

  // Size and type first (the server checks again); then the alt text; then the upload.
  function offerImage(file) {
    if (IMAGE_TYPES.indexOf(file.type) === -1) {
      say(t("Please upload a PNG, JPEG, GIF or WebP image."), "error");
      return;
    }
    if (maxBytes && file.size > maxBytes) {
      say(t("This picture is %(size)s MB: the largest we take is %(max)s MB. Please choose a smaller one; your text is unchanged.",
            { size: megabytes(file.size), max: megabytes(maxBytes) }), "error");
      return;
    }
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    say("");
    var form = el("div", { "class": "composer-alt", role: "group", "aria-label": t("Add an image") });
    var id = textarea.id + "-alt";
    var label = el("label", { "for": id }, t("Describe the image for people who can't see it"));
    var input = el("input", { type: "text", id: id, maxlength: "120", autocomplete: "off" });
    var name = el("p", { "class": "muted small" }, file.name);
    var insert = el("button", { type: "button", "class": "button small" }, t("Insert image"));
    var cancel = el("button", { type: "button", "class": "button secondary small" }, t("Cancel"));
    var row = el("div", { "class": "composer-alt-row" });
    row.appendChild(input); row.appendChild(insert); row.appendChild(cancel);
    form.appendChild(label); form.appendChild(name); form.appendChild(row);
    status.appendChild(form);
    input.focus();
    function done() { form.remove(); textarea.focus(); }
    cancel.addEventListener("click", function () { done(); textarea.setSelectionRange(start, end); });
    insert.addEventListener("click", function () { form.remove(); upload(file, input.value.trim(), start, end); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); insert.click(); }
      else if (event.key === "Escape") { event.preventDefault(); cancel.click(); }
    });
  }

  function upload(file, alt, start, end) {
    say("");
    var box = el("div", { "class": "composer-progress" });
    var label = el("span", { id: textarea.id + "-progress-label" }, t("Uploading the image…"));
    var bar = el("progress", { max: "100", value: "0", "aria-labelledby": label.id });
    box.appendChild(label); box.appendChild(bar);
    status.appendChild(box);
    var data = new FormData();
    data.append("image", file, file.name || "image");
    data.append("alt", alt);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", editor.dataset.uploadUrl);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { bar.value = Math.round(100 * event.loaded / event.total); }
    });
    xhr.addEventListener("load", function () {
      var json = null;
      try { json = JSON.parse(xhr.responseText); } catch (error) { json = null; }
      if (xhr.status === 200 && json && json.markdown) {
        insertBlock(textarea, start, end, json.markdown);
        say(t("Image added to your text."), "done");
      } else if (xhr.status === 413) {
        say(t("That picture is too large. Please choose a smaller one; your text is unchanged."), "error");
      } else {
        say((json && json.error) || t("That image couldn't be uploaded."), "error");
      }
    });
    xhr.addEventListener("error", function () {
      say(t("The upload didn't work. Your text is safe; please try again."), "error");
    });
    xhr.send(data);
  }

  // Drafts ---------------------------------------------------------------------------------------
  var draftUrl = editor.dataset.draftUrl;
  if (!draftUrl || !window.fetch) { return; }
  var timer = null, dirty = false, submitted = false, lastSaved = null;
  var form = textarea.form;

  function save(keepalive) {
    clearTimeout(timer);
    if (!dirty || submitted) { return; }
    var body = new FormData();
    body.append("body", textarea.value);
    var sent = textarea.value;
    dirty = false;
    fetch(draftUrl, {
      method: "POST", body: body, credentials: "same-origin", keepalive: !!keepalive,
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { dirty = true; return; }
      lastSaved = sent;
      editor.dataset.draftSaved = "true";
    }).catch(function () { dirty = true; });
  }

  textarea.addEventListener("input", function () {
    if (textarea.value === lastSaved) { return; }
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_AFTER_MS);
  });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { save(true); } });
  window.addEventListener("pagehide", function () { save(true); });
  window.addEventListener("online", function () { save(false); });
  // Sending the form: the server deletes the draft once the post is made, so nothing is saved after this
  // (a late save would bring the draft back). A failed submission keeps the last saved one.
  if (form) { form.addEventListener("submit", function () { clearTimeout(timer); submitted = true; }); }

  // Asked once the page has loaded (asked while its images were still coming, the answer could wait behind
  // them for a long time in Chromium).
  function askForDraft() {
    fetch(draftUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (draft) {
        if (!draft || !draft.body || draft.body === textarea.value) { return; }
        lastSaved = draft.body;
        offerDraft(draft);
      }).catch(function () { /* no draft offered: the page's own text stays */ });
  }
  // A composer folded away (the comment box under each answer) asks when it is opened: a question page
  // with twenty answers would otherwise ask twenty times on every visit.
  var folded = editor.closest("details");
  if (folded && !folded.open) {
    folded.addEventListener("toggle", function () { if (folded.open) { askForDraft(); } }, { once: true });
  } else if (document.readyState === "complete") { askForDraft(); }
  else { window.addEventListener("load", askForDraft, { once: true }); }

  function offerDraft(draft) {
    var box = el("div", { "class": "composer-draft", role: "group", "aria-label": t("Your draft") });
    box.appendChild(el("p", {}, t("You have a draft from %(when)s.", { when: draft.when })));
    var restore = el("button", { type: "button", "class": "button small" }, t("Restore"));
    var discard = el("button", { type: "button", "class": "button secondary small" }, t("Discard"));
    box.appendChild(restore); box.appendChild(discard);
    status.appendChild(box);
    restore.addEventListener("click", function () {
      textarea.value = draft.body;
      box.remove();
      textarea.focus();
      textarea.setSelectionRange(textarea.value.length, textarea.value.length);
      say(t("Your draft is back."), "done");
    });
    discard.addEventListener("click", function () {
      box.remove();
      lastSaved = null;
      fetch(draftUrl + "/discard", {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
      }).catch(function () { /* it stays until the next save or post */ });
      say(t("Draft discarded."), "done");
      textarea.focus();
    });
  }
}

// Composers put in the page later (the blog's "Reply to" box, cloned from a template) are set up by
// whoever adds them.
window.communitySetupComposer = setupComposer;
document.querySelectorAll("[data-composer]").forEach(function (editor) {
  if (!editor.closest("template")) { setupComposer(editor); }
});
