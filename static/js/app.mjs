// GOV.UK Frontend's behaviour (menu toggle, error summary focus, details). Optional:
// every page works without JavaScript. A file, not an inline script: the
// Content-Security-Policy allows scripts from this site only.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// After saving, the page opens at the recommendation's section (#rec-…), where the message
// about it is shown. The browser's move to the fragment takes focus from that message's
// banner (GOV.UK Frontend focuses it first): give it back, so it is read out first.
window.addEventListener("load", () => {
  const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  const message = target && target.querySelector(".govuk-notification-banner[role=alert]");
  if (message) {
    message.setAttribute("tabindex", "-1");
    message.focus();
  }
});
