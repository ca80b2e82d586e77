/* Timeline: name the event under the pointer or keyboard focus in the caption beneath the
   chart. Progressive: without this file every mark is still a link with a title, and the
   list below the chart holds every event. Loaded from this site only (no inline script). */
(function () {
  "use strict";
  var figures = document.querySelectorAll("[data-timeline]");
  Array.prototype.forEach.call(figures, function (figure) {
    var caption = figure.querySelector(".tl-caption");
    if (!caption) return;
    var resting = caption.textContent;
    function show(mark) {
      caption.textContent = mark.getAttribute("data-date") + " — " +
        mark.getAttribute("data-title") + " (" + mark.getAttribute("data-kind") + ")";
    }
    Array.prototype.forEach.call(figure.querySelectorAll("a.tl-mark"), function (mark) {
      mark.addEventListener("mouseenter", function () { show(mark); });
      mark.addEventListener("focus", function () { show(mark); });
      mark.addEventListener("mouseleave", function () { caption.textContent = resting; });
    });
  });
})();
