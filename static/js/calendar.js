// The month grid: arrow keys move between days (a roving tabindex), Home/End to the week's ends, and
// PageUp/PageDown to the previous and next month. Tab then reaches the links of the focused day.
(function () {
  "use strict";
  var grid = document.querySelector("[data-cal-grid]");
  if (!grid) return;
  var cells = Array.prototype.slice.call(grid.querySelectorAll("[data-cal-day]"));
  if (!cells.length) return;
  if (!cells.some(function (c) { return c.tabIndex === 0; })) cells[0].tabIndex = 0;

  function focusCell(index) {
    if (index < 0 || index >= cells.length) return;
    cells.forEach(function (c) { c.tabIndex = -1; });
    cells[index].tabIndex = 0;
    cells[index].focus();
  }

  grid.addEventListener("keydown", function (event) {
    var index = cells.indexOf(event.target);
    if (index === -1) return;
    var moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    if (event.key in moves) {
      event.preventDefault();
      focusCell(index + moves[event.key]);
    } else if (event.key === "Home") {
      event.preventDefault();
      focusCell(index - (index % 7));
    } else if (event.key === "End") {
      event.preventDefault();
      focusCell(index - (index % 7) + 6);
    } else if (event.key === "PageUp" || event.key === "PageDown") {
      var link = document.querySelector(event.key === "PageUp" ? ".cal-nav [rel=prev]" : ".cal-nav [rel=next]");
      if (link) { event.preventDefault(); window.location.href = link.href; }
    } else if (event.key === "Enter") {
      var only = cells[index].querySelectorAll("a");
      if (only.length === 1) { event.preventDefault(); only[0].click(); }
    }
  });
})();
