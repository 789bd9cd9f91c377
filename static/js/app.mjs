// GOV.UK Frontend's behaviour (menu toggle, error summary focus, details). Optional:
// every page works without JavaScript. A file, not an inline script: the
// Content-Security-Policy allows scripts from this site only.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
