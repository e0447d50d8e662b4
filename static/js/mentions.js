// @handle autocomplete in Markdown textareas (and inputs marked data-mentions). Progressive enhancement:
// without this file members simply type the handle. Suggestions come from GET <handles-url>?q=<prefix>.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.handlesUrl;
  if (!url) { return; }
  var MENTION = /(^|[^\w@\/])@([a-zA-Z0-9_]{1,30})$/;
  var menu = null, field = null, items = [], active = -1, timer = null, seq = 0, counter = 0;

  function isTarget(el) {
    return el && ((el.tagName === "TEXTAREA" && el.closest("[data-editor], [data-mentions]")) ||
                  (el.tagName === "INPUT" && el.hasAttribute("data-mentions")));
  }

  function queryFor(el) {
    if (el.tagName === "INPUT") {
      var v = el.value.replace(/^@/, "");
      return /^[a-zA-Z0-9_]{1,30}$/.test(v) ? { q: v, start: 0 } : null;
    }
    var before = el.value.slice(0, el.selectionStart);
    var m = MENTION.exec(before);
    return m ? { q: m[2], start: before.length - m[2].length - 1 } : null;
  }

  function close() {
    if (menu) { menu.remove(); }
    if (field) {
      field.setAttribute("aria-expanded", "false");
      field.removeAttribute("aria-activedescendant");
    }
    menu = null; items = []; active = -1;
  }

  function highlight(index) {
    active = index;
    items.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
    if (items[index]) { field.setAttribute("aria-activedescendant", items[index].id); }
  }

  function pick(index) {
    var li = items[index];
    if (!li || !field) { return; }
    var handle = li.dataset.handle;
    if (field.tagName === "INPUT") {
      field.value = handle;
    } else {
      var found = queryFor(field);
      if (!found) { close(); return; }
      var caret = field.selectionStart;
      var insert = "@" + handle + " ";
      field.value = field.value.slice(0, found.start) + insert + field.value.slice(caret);
      var pos = found.start + insert.length;
      field.setSelectionRange(pos, pos);
    }
    close();
    field.focus();
  }

  function show(el, people) {
    close();
    field = el;
    if (!people.length) { return; }
    menu = document.createElement("ul");
    menu.className = "mention-menu";
    menu.id = "mention-menu-" + (++counter);
    menu.setAttribute("role", "listbox");
    menu.setAttribute("aria-label", t("Members to mention"));
    people.forEach(function (p, i) {
      var li = document.createElement("li");
      li.id = menu.id + "-" + i;
      li.setAttribute("role", "option");
      li.dataset.handle = p.handle;
      var name = document.createElement("strong");
      name.textContent = p.name;
      var handle = document.createElement("span");
      handle.className = "muted small";
      handle.textContent = "@" + p.handle;
      li.appendChild(name);
      li.appendChild(handle);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
      menu.appendChild(li);
      items.push(li);
    });
    var rect = el.getBoundingClientRect();
    menu.style.left = (window.scrollX + rect.left) + "px";
    menu.style.top = (window.scrollY + rect.bottom + 4) + "px";
    document.body.appendChild(menu);
    el.setAttribute("aria-controls", menu.id);
    el.setAttribute("aria-expanded", "true");
    highlight(0);
  }

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!isTarget(el)) { return; }
    el.setAttribute("aria-autocomplete", "list");
    var found = queryFor(el);
    clearTimeout(timer);
    if (!found) { close(); return; }
    timer = setTimeout(function () {
      var mine = ++seq;
      fetch(url + "?q=" + encodeURIComponent(found.q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (people) { if (mine === seq && document.activeElement === el) { show(el, people); } })
        .catch(function () { close(); });
    }, 150);
  });

  document.addEventListener("keydown", function (event) {
    if (!menu || event.target !== field) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + items.length) % items.length); }
    else if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); pick(active); }
    else if (event.key === "Escape") { event.preventDefault(); close(); }
  });

  document.addEventListener("focusout", function (event) { if (event.target === field) { setTimeout(close, 100); } });
})();
