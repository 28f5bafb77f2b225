/* Progressive enhancement only: every dashboard action works without this file. */
(function () {
  "use strict";
  /* "Select all" for a bulk form: ticks every checkbox that belongs to it. */
  document.querySelectorAll("[data-select-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      var form = button.getAttribute("data-select-all");
      var boxes = document.querySelectorAll("input[type=checkbox][form='" + form + "']");
      var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      boxes.forEach(function (b) { b.checked = !all; });
    });
  });
})();
