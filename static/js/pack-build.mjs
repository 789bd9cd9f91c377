// The build page follows its build without reloading: every second and a half it asks the
// build's progress.json how far it has got, moves the bar, and says the step in the status
// line (a polite live region); when the build has finished it puts the finished part (the
// download, the version published, or what went wrong) where the bar was and moves focus to
// it. Optional: without JavaScript the "Check progress" button reloads the page.
// A file, not an inline script: the Content-Security-Policy allows scripts from this site only.

const EVERY = 1500; // milliseconds between two questions
const GIVE_UP_AFTER = 5; // failed questions in a row, then the button is left to the person

function follow(root) {
  const url = root.dataset.progressUrl;
  const status = root.querySelector("[data-build-status]");
  const bar = root.querySelector("[data-build-bar]");
  const percent = root.querySelector("[data-build-percent]");
  const waiting = root.querySelector("[data-build-waiting]");
  let failures = 0;

  const show = (progress) => {
    bar.value = progress.percent;
    bar.textContent = `${progress.percent}%`;
    percent.textContent = `${progress.percent}%`;
    if (status.textContent !== progress.status) {
      status.textContent = progress.status; // read out by screen readers when it changes
    }
    if (waiting) {
      waiting.hidden = !progress.waiting_long;
    }
  };

  const finish = (progress) => {
    root.innerHTML = progress.html; // the page's own template, rendered by the server
    const outcome = root.querySelector("[data-build-outcome]");
    if (outcome) {
      outcome.focus();
    }
  };

  const ask = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) {
        throw new Error(`status ${response.status}`);
      }
      const progress = await response.json();
      failures = 0;
      if (progress.finished) {
        finish(progress);
        return;
      }
      show(progress);
    } catch (error) {
      failures += 1;
      if (failures >= GIVE_UP_AFTER) {
        status.textContent = "The page could not check how far it has got. Use the Check progress button.";
        return;
      }
    }
    window.setTimeout(ask, EVERY * (failures + 1));
  };

  window.setTimeout(ask, EVERY);
}

const root = document.querySelector("[data-pack-build][data-progress-url]");
if (root) {
  follow(root);
}
