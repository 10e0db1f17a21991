// Small progressive enhancements. Everything works without this file.
(function () {
  "use strict";
  var timers = [];

  function clearTimers() {
    timers.forEach(clearTimeout);
    timers = [];
  }

  // Kiosk: after a quiet spell the screen goes back to the start, forgetting what was typed. Without JavaScript a
  // <noscript> meta refresh does the same; here each touch or key press restarts the clock.
  function armKioskReset(main) {
    var url = main.dataset.resetUrl;
    timers.push(setTimeout(function () { window.location.replace(url); }, Number(main.dataset.resetAfter) * 1000));
  }

  // Phone: warn a minute before the server ends an idle session, and offer to stay signed in.
  function armSessionWarning(main) {
    var warnAfter = Number(main.dataset.warnAfter) * 1000;
    var endAfter = Number(main.dataset.sessionSeconds) * 1000;
    timers.push(setTimeout(function () { showWarning(main); }, warnAfter));
    timers.push(setTimeout(function () { window.location.replace(main.dataset.signedOutUrl); }, endAfter));
  }

  function showWarning(main) {
    if (document.getElementById("session-warning")) return;
    var box = document.createElement("div");
    box.id = "session-warning";
    box.className = "app-session-warning";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-labelledby", "session-warning-text");
    var text = document.createElement("p");
    text.id = "session-warning-text";
    text.textContent = "For your security, you will be signed out in 1 minute.";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "nhsuk-button";
    button.textContent = "Stay signed in";
    button.addEventListener("click", function () { window.location.reload(); });
    box.appendChild(text);
    box.appendChild(button);
    main.insertBefore(box, main.firstChild);
    button.focus();
  }

  function arm() {
    var main = document.getElementById("main-content");
    clearTimers();
    if (!main) return;
    if (main.dataset.resetAfter) armKioskReset(main);
    if (main.dataset.warnAfter) armSessionWarning(main);
  }

  function activity() {
    var main = document.getElementById("main-content");
    if (main && main.dataset.resetAfter) arm();  // only the kiosk counts touches; a phone session counts requests
  }

  ["pointerdown", "keydown", "input"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true });
  });
  // An error page that htmx swapped in (layout.html's responseHandling) replaced what the person was looking at,
  // perhaps without their doing: put them on its heading, so a screen reader announces what happened.
  function focusErrorHeading(event) {
    var xhr = event.detail && event.detail.xhr;
    if (!xhr || xhr.status < 400) return;
    var heading = document.querySelector("#main-content h1");
    if (!heading) return;
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  // afterSwap, not afterSettle: settling waits on a timer, and the new page's timers should start with the page.
  document.addEventListener("htmx:afterSwap", arm);
  document.addEventListener("htmx:afterSwap", focusErrorHeading);
  document.addEventListener("DOMContentLoaded", arm);
})();
