// Kiosk idle reset: after a quiet spell the screen goes back to the start, forgetting what was typed.
// Without JavaScript a <noscript> meta refresh does the same; here each touch or key press restarts the clock.
(function () {
  "use strict";
  var timer = null;

  function arm() {
    var main = document.getElementById("main-content");
    clearTimeout(timer);
    if (!main || !main.dataset.resetAfter) return;
    var url = main.dataset.resetUrl;
    timer = setTimeout(function () { window.location.replace(url); }, Number(main.dataset.resetAfter) * 1000);
  }

  ["pointerdown", "keydown", "input"].forEach(function (name) {
    document.addEventListener(name, arm, { passive: true });
  });
  document.addEventListener("htmx:afterSettle", arm);
  document.addEventListener("DOMContentLoaded", arm);
})();
