// The print view's "Print" button. Scripts come from the portal only (the CSP allows 'self' and
// nonce'd scripts, no inline handlers), so the button is wired here.
"use strict";
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
