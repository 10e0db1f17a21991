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

  // Calling display: when a new call arrives, flash it once, sound a short two-note chime made here with Web Audio
  // (no sound file), and say it where the browser can speak. Browsers allow sound only after the page has been
  // touched once, so the first tap on the display turns the sound on.
  var lastCall = null;
  var audio = null;

  function chime() {
    if (!audio || audio.state !== "running") return;
    [659.25, 523.25].forEach(function (frequency, i) {
      var start = audio.currentTime + i * 0.35;
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.3);
      tone.connect(gain).connect(audio.destination);
      tone.start(start);
      tone.stop(start + 0.32);
    });
  }

  function announce(calls) {
    if (!calls.dataset.call || calls.dataset.call === lastCall) return;
    var first = lastCall === null;
    lastCall = calls.dataset.call;
    if (first) return;  // the calls already on screen when the page opened are not new
    calls.classList.add("app-calls--new");
    chime();
    if (window.speechSynthesis && window.SpeechSynthesisUtterance) {
      var words = new SpeechSynthesisUtterance("Number " + calls.dataset.number + ", " + calls.dataset.room);
      words.lang = "en-GB";
      window.speechSynthesis.speak(words);
    }
  }

  function watchCalls() {
    var calls = document.getElementById("calls");
    if (calls) announce(calls);
  }

  document.addEventListener("pointerdown", function () {
    if (!document.getElementById("calls") || !(window.AudioContext || window.webkitAudioContext)) return;
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume();
  }, { passive: true });
  document.addEventListener("htmx:afterSwap", watchCalls);
  document.addEventListener("DOMContentLoaded", watchCalls);

  // Kiosk: "Larger text" changes the page at once and tells the server, so that the next screens keep it (until
  // the kiosk goes idle). Without JavaScript the same form is a plain POST that comes back to this screen.
  function setUpTextSize() {
    var form = document.querySelector("form[data-text-size]");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    form.addEventListener("submit", function (event) {
      var button = form.querySelector("button[name=large]");
      event.preventDefault();
      var on = button.value === "on";
      document.documentElement.classList.toggle("app-large-text", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      var data = new FormData(form);
      data.set("large", button.value);
      button.value = on ? "off" : "on";
      fetch(form.action, { method: "POST", body: data, headers: { "HX-Request": "true" }, credentials: "same-origin" });
    });
  }

  // Kiosk: "Read this aloud" says the screen's question in the page's language, where the browser can speak.
  function setUpReadAloud() {
    var button = document.querySelector("button[data-read-aloud]");
    if (!button || !window.speechSynthesis || !window.SpeechSynthesisUtterance) return;
    button.hidden = false;
    if (button.dataset.ready) return;
    button.dataset.ready = "1";
    button.addEventListener("click", function () {
      var heading = document.querySelector("#main-content h1");
      if (!heading) return;
      var lang = document.documentElement.lang;
      var words = new SpeechSynthesisUtterance(heading.textContent.trim());
      words.lang = lang;
      var voice = window.speechSynthesis.getVoices().filter(function (v) {
        return v.lang.toLowerCase().indexOf(lang.slice(0, 2).toLowerCase()) === 0;
      })[0];
      if (voice) words.voice = voice;
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(words);
    });
  }

  function setUpKioskTools() {
    setUpTextSize();
    setUpReadAloud();
  }

  document.addEventListener("htmx:afterSwap", setUpKioskTools);
  document.addEventListener("DOMContentLoaded", setUpKioskTools);

  // afterSwap, not afterSettle: settling waits on a timer, and the new page's timers should start with the page.
  document.addEventListener("htmx:afterSwap", arm);
  document.addEventListener("htmx:afterSwap", focusErrorHeading);
  document.addEventListener("DOMContentLoaded", arm);
})();
