// Admin template editor: a live preview while typing. The page works without this file (the Preview button
// posts the form); here the same form is posted to preview.json, with its CSRF token, after a short pause.
// The HTML preview is built by the server from escaped text (responses/markup.py); everything else is
// inserted with textContent only.
"use strict";
(function () {
  const form = document.getElementById("editor-form");
  const source = document.getElementById("source");
  if (!form || !source) { return; }
  const url = form.dataset.previewUrl;
  const html = document.getElementById("preview-html");
  const mrkdwn = document.getElementById("preview-mrkdwn");
  const text = document.getElementById("preview-text");
  const problems = document.getElementById("problems");
  const state = document.getElementById("preview-state");
  let timer = null;
  let sent = 0;

  function show(data) {
    problems.textContent = "";
    const box = problems.parentElement;
    box.classList.toggle("is-empty", data.ok);
    (data.problems || []).forEach(function (p) {
      const li = document.createElement("li");
      li.textContent = p.text;
      problems.appendChild(li);
    });
    if (data.html !== null) {
      html.innerHTML = data.html; // escaped by the server before its own tags were added
      mrkdwn.textContent = data.mrkdwn;
      text.textContent = data.text;
    }
    state.textContent = data.ok ? "(sample context, live)" : "(not valid: last good preview shown)";
  }

  function refresh() {
    const ticket = ++sent;
    const body = new URLSearchParams(new FormData(form));
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "content-type": "application/x-www-form-urlencoded" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && ticket === sent) { show(data); } })
      .catch(function () { state.textContent = "(preview unavailable)"; });
  }

  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);
  });
})();
