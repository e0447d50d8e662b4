// Autocomplete in Markdown textareas (and inputs marked data-mentions): @handles, #tags and :emoji:.
// Progressive enhancement: without this file members simply type them. Handles come from
// GET <handles-url>?q=<prefix>, tags from GET <tags-url>?q=<prefix> (tags of topics the member can see),
// emoji from the short list below (inserted as the character itself).
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.handlesUrl;
  var tagsUrl = script && script.dataset.tagsUrl;
  if (!url) { return; }
  var MENTION = /(^|[^\w@\/])@([a-zA-Z0-9_]{1,30})$/;
  var HASHTAG = /(^|[^\w#&\/])#([a-zA-Z][a-zA-Z0-9_-]{0,39})$/;
  var EMOJI_AT = /(^|\s):([a-z0-9_+-]{2,20})$/;
  // The emoji a learning community reaches for, by their usual short names (gemoji's).
  var EMOJI = [
    ["smile", "😄"], ["grinning", "😀"], ["joy", "😂"], ["slightly_smiling_face", "🙂"], ["wink", "😉"],
    ["blush", "😊"], ["thinking", "🤔"], ["sweat_smile", "😅"], ["confused", "😕"], ["cry", "😢"],
    ["scream", "😱"], ["sunglasses", "😎"], ["nerd_face", "🤓"], ["star_struck", "🤩"], ["hugs", "🤗"],
    ["thumbsup", "👍"], ["thumbsdown", "👎"], ["clap", "👏"], ["raised_hands", "🙌"], ["pray", "🙏"],
    ["wave", "👋"], ["ok_hand", "👌"], ["muscle", "💪"], ["point_up", "☝️"], ["eyes", "👀"],
    ["heart", "❤️"], ["tada", "🎉"], ["sparkles", "✨"], ["fire", "🔥"], ["star", "⭐"],
    ["bulb", "💡"], ["rocket", "🚀"], ["books", "📚"], ["book", "📖"], ["memo", "📝"],
    ["pencil2", "✏️"], ["calendar", "📅"], ["clock", "🕐"], ["coffee", "☕"], ["trophy", "🏆"],
    ["dart", "🎯"], ["chart_with_upwards_trend", "📈"], ["white_check_mark", "✅"], ["x", "❌"],
    ["warning", "⚠️"], ["question", "❓"], ["exclamation", "❗"], ["100", "💯"], ["seedling", "🌱"],
    ["mag", "🔍"], ["link", "🔗"], ["speech_balloon", "💬"], ["handshake", "🤝"], ["brain", "🧠"]
  ];
  var menu = null, field = null, items = [], active = -1, timer = null, seq = 0, counter = 0;

  function isTarget(el) {
    return el && ((el.tagName === "TEXTAREA" && el.closest("[data-editor], [data-mentions]")) ||
                  (el.tagName === "INPUT" && el.hasAttribute("data-mentions")));
  }

  function queryFor(el) {
    if (el.tagName === "INPUT") {
      var v = el.value.replace(/^@/, "");
      return /^[a-zA-Z0-9_]{1,30}$/.test(v) ? { q: v, start: 0, kind: "@" } : null;
    }
    var before = el.value.slice(0, el.selectionStart);
    var m = MENTION.exec(before);
    if (m) { return { q: m[2], start: before.length - m[2].length - 1, kind: "@" }; }
    m = tagsUrl ? HASHTAG.exec(before) : null;
    if (m) { return { q: m[2], start: before.length - m[2].length - 1, kind: "#" }; }
    m = EMOJI_AT.exec(before);
    if (m) { return { q: m[2], start: before.length - m[2].length - 1, kind: ":" }; }
    return null;
  }

  // Suggestions for a query, as [{insert, name, detail}].
  function suggest(found) {
    if (found.kind === ":") {
      var q = found.q.toLowerCase();
      var hits = EMOJI.filter(function (e) { return e[0].indexOf(q) === 0; })
        .concat(EMOJI.filter(function (e) { return e[0].indexOf(q) > 0; })).slice(0, 8);
      return Promise.resolve(hits.map(function (e) { return { insert: e[1] + " ", name: e[1], detail: ":" + e[0] + ":" }; }));
    }
    var base = found.kind === "#" ? tagsUrl : url;
    return fetch(base + "?q=" + encodeURIComponent(found.q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) {
        return rows.map(function (row) {
          return found.kind === "#" ? { insert: "#" + row.name + " ", name: "#" + row.name, detail: "" }
                                    : { insert: "@" + row.handle + " ", name: row.name, detail: "@" + row.handle, handle: row.handle };
        });
      });
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
    if (field.tagName === "INPUT") {
      field.value = li.dataset.handle;
    } else {
      var found = queryFor(field);
      if (!found) { close(); return; }
      var caret = field.selectionStart;
      var insert = li.dataset.insert;
      field.value = field.value.slice(0, found.start) + insert + field.value.slice(caret);
      var pos = found.start + insert.length;
      field.setSelectionRange(pos, pos);
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
    close();
    field.focus();
  }

  function show(el, people, kind) {
    close();
    field = el;
    if (!people.length) { return; }
    menu = document.createElement("ul");
    menu.className = "mention-menu";
    menu.id = "mention-menu-" + (++counter);
    menu.setAttribute("role", "listbox");
    menu.setAttribute("aria-label", kind === "#" ? t("Tags") : kind === ":" ? t("Emoji") : t("Members to mention"));
    people.forEach(function (p, i) {
      var li = document.createElement("li");
      li.id = menu.id + "-" + i;
      li.setAttribute("role", "option");
      li.dataset.insert = p.insert;
      if (p.handle) { li.dataset.handle = p.handle; }
      var name = document.createElement("strong");
      name.textContent = p.name;
      li.appendChild(name);
      if (p.detail) {
        var handle = document.createElement("span");
        handle.className = "muted small";
        handle.textContent = p.detail;
        li.appendChild(handle);
      }
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
      suggest(found)
        .then(function (people) { if (mine === seq && document.activeElement === el) { show(el, people, found.kind); } })
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
