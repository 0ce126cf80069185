// Chat page: talks to POST /api/chat. Bot HTML comes pre-escaped from the server (markup.to_html);
// everything the user typed is inserted with textContent only, never as HTML.
"use strict";
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const langSelect = document.getElementById("lang");
  const status = document.getElementById("status");
  const STORAGE_KEY = "privacy-bot-session";
  const UI = {
    en: { placeholder: "Ask about our privacy policy…", send: "Send", language: "Language", fresh: "New conversation", error: "Sorry, the assistant could not be reached. Please try again.", truncated: "Your message was long, so only part of it was read." },
    ja: { placeholder: "プライバシーポリシーについて質問してください…", send: "送信", language: "言語", fresh: "新しい会話", error: "アシスタントに接続できませんでした。もう一度お試しください。", truncated: "メッセージが長いため、一部のみを読み取りました。" },
  };
  // The session id is the requester's key to their own requests in this browser: kept until they start a
  // new conversation (the server forgets idle sessions after PRIVACY_BOT_SESSION_TTL).
  let sessionId = localStorage.getItem(STORAGE_KEY);
  let uiLang = "en";

  function applyUi(lang) {
    uiLang = UI[lang] ? lang : "en";
    const t = UI[uiLang];
    input.placeholder = t.placeholder;
    document.getElementById("send").textContent = t.send;
    document.getElementById("lang-label").textContent = t.language;
    document.getElementById("new-conversation").textContent = t.fresh;
    document.documentElement.lang = uiLang;
  }

  function addUser(text) {
    const li = document.createElement("li");
    li.className = "user";
    li.textContent = text;
    log.appendChild(li);
    li.scrollIntoView({ block: "end" });
  }

  function addBot(reply) {
    const li = document.createElement("li");
    li.className = "bot";
    li.dataset.decision = reply.decision;
    const body = document.createElement("div");
    body.className = "answer";
    body.innerHTML = reply.html; // escaped by the server; see responses/markup.py
    li.appendChild(body);
    if (reply.citation) {
      const cite = document.createElement("cite");
      cite.className = "citation";
      cite.textContent = reply.citation;
      li.appendChild(cite);
    }
    if (reply.choices && reply.choices.length) {
      const box = document.createElement("div");
      box.className = "choices";
      reply.choices.forEach(function (choice) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "choice";
        button.textContent = choice.number + ". " + choice.label;
        button.addEventListener("click", function () { send(String(choice.number), choice.label); });
        box.appendChild(button);
      });
      li.appendChild(box);
    }
    (reply.notices || []).forEach(function (notice) {
      if (notice === "truncated" || notice === "truncated_for_matching") {
        const p = document.createElement("p");
        p.className = "notice";
        p.textContent = UI[uiLang].truncated;
        li.appendChild(p);
      }
    });
    log.appendChild(li);
    li.scrollIntoView({ block: "end" });
  }

  async function send(text, shown) {
    addUser(shown || text);
    status.textContent = "…";
    const payload = { text: text };
    if (sessionId) payload.session_id = sessionId;
    if (langSelect.value) payload.lang = langSelect.value;
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
      });
      const data = await response.json();
      if (!response.ok) {
        status.textContent = (data && data.detail) ? String(data.detail) : UI[uiLang].error;
        return;
      }
      sessionId = data.session_id;
      localStorage.setItem(STORAGE_KEY, sessionId);
      if (!langSelect.value) applyUi(data.lang);
      addBot(data);
      status.textContent = "";
    } catch (err) {
      status.textContent = UI[uiLang].error;
    }
  }

  async function resume() {
    if (!sessionId) return;
    try {
      const payload = { session_id: sessionId };
      if (langSelect.value) payload.lang = langSelect.value;
      const response = await fetch("/api/resume", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
      });
      if (!response.ok) return;
      const data = await response.json();
      (data.messages || []).forEach(addBot);
    } catch (err) {
      /* nothing waiting, or offline: the next message will show it */
    }
  }

  document.getElementById("new-conversation").addEventListener("click", function () {
    localStorage.removeItem(STORAGE_KEY);
    sessionId = null;
    log.textContent = "";
    status.textContent = "";
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  langSelect.addEventListener("change", function () { applyUi(langSelect.value || uiLang); });
  applyUi(navigator.language && navigator.language.startsWith("ja") ? "ja" : "en");
  resume();
})();
