// The interface's words in the member's language, for the other scripts: t("Preview"), tn("1 answer", "%(num)s answers", n).
// The page carries the translations as JSON in <script type="application/json" id="i18n-messages"> (community/i18n.py);
// without it (or for a string it lacks) the English text is used. Loaded before every other script.
(function () {
  "use strict";
  var strings = {};
  var lang = document.documentElement.lang || "en";
  var node = document.getElementById("i18n-messages");
  if (node) {
    try {
      var data = JSON.parse(node.textContent);
      strings = data.strings || {};
      lang = data.lang || lang;
    } catch (error) { strings = {}; }
  }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)[sd]/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }
  var plural = new Intl.PluralRules(lang);
  window.t = function (text, values) {
    var found = strings[text];
    return fill(typeof found === "string" && found ? found : text, values);
  };
  window.tn = function (one, many, count, values) {
    var forms = strings[one];
    var values2 = Object.assign({ num: count.toLocaleString(lang) }, values || {});
    var pick = plural.select(count) === "one";
    var text = Array.isArray(forms) ? forms[pick ? 0 : 1] : (pick ? one : many);
    return fill(text, values2);
  };
})();
