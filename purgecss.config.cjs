// The stylesheet keeps only the selectors our pages can use: nhsuk-frontend brings far more than kiosk shows, and
// every byte of CSS is paid before the first paint on a slow phone. kiosk.assets runs this after sass.
module.exports = {
  content: ["kiosk/templates/**/*.html", "kiosk/static/src/*.js", "kiosk/**/*.py"],
  // Class names built from a value at render time, and the classes htmx itself adds while swapping.
  safelist: {
    standard: [/^nhsuk-input--width-/, /^app-status--/, /^htmx-/],
  },
  // State attributes set by the browser, htmx or our script, not written in a template.
  dynamicAttributes: ["aria-current", "aria-expanded", "aria-invalid", "aria-hidden", "aria-busy", "open", "hidden", "disabled", "dir", "lang"],
  keyframes: true,
  fontFace: true,
  variables: false,
};
