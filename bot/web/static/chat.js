// Chat page: talks to POST /api/chat and /api/resume. Bot HTML comes pre-escaped from the server (markup.to_html);
// everything the user typed, and every line of a restored transcript, is inserted with textContent only.
"use strict";
(function () {
  const log = document.getElementById("log");
  const area = document.getElementById("conversation");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const langSelect = document.getElementById("lang");
  const STORAGE_KEY = "privacy-bot-session";
  const UI = {
    en: {
      title: "Privacy policy assistant", placeholder: "Ask about our privacy policy…", send: "Send", language: "Language",
      auto: "Auto", fresh: "New conversation", message: "Your message", conversation: "Conversation",
      footer: "Answers quote the company's privacy policy. Do not type passwords here.",
      error: "Sorry, the assistant could not be reached. Your message is back in the box: please send it again.",
      failed: "Sorry, that did not go through.",
      truncated: "Your message was long, so only part of it was read.",
      storeDown: "Our storage is unavailable right now, so this message was not saved. Your text is back in the box: please send it again in a moment.",
      waiting: "The assistant is answering…", chosen: "(chosen)", earlier: "Earlier in this conversation",
    },
    ja: {
      title: "プライバシーポリシー アシスタント", placeholder: "プライバシーポリシーについて質問してください…", send: "送信", language: "言語",
      auto: "自動", fresh: "新しい会話", message: "メッセージ", conversation: "会話",
      footer: "回答は当社のプライバシーポリシーを引用しています。パスワードは入力しないでください。",
      error: "アシスタントに接続できませんでした。入力した文は入力欄に戻してあります。もう一度送信してください。",
      failed: "送信できませんでした。",
      truncated: "メッセージが長いため、一部のみを読み取りました。",
      storeDown: "現在システムの記憶領域を利用できないため、このメッセージは保存されていません。入力した文は入力欄に戻してあります。しばらくしてからもう一度送信してください。",
      waiting: "回答を作成しています…", chosen: "（選択済み）", earlier: "これまでの会話",
    },
  };
  // The session id is the requester's key to their own requests in this browser: kept until they start a
  // new conversation (the server forgets idle sessions after PRIVACY_BOT_SESSION_TTL).
  let sessionId = localStorage.getItem(STORAGE_KEY);
  let uiLang = "en";
  let welcome = null; // /static/welcome.json: the first screen's topics and actions, per language
  // The step token of the question the newest reply asks (server's `step`; null when it asks nothing). Typed text
  // carries it, and each button carries the token of the reply it belongs to, so an answer meant for an earlier
  // question is never applied to a later one (the server says so and asks the current question again).
  let openStep = null;

  function applyUi(lang) {
    uiLang = UI[lang] ? lang : "en";
    const t = UI[uiLang];
    document.documentElement.lang = uiLang;
    document.title = t.title;
    document.getElementById("title").textContent = t.title;
    document.getElementById("footer-note").textContent = t.footer;
    document.getElementById("text-label").textContent = t.message;
    document.getElementById("lang-label").textContent = t.language;
    document.getElementById("lang-auto").textContent = t.auto;
    document.getElementById("new-conversation").textContent = t.fresh;
    document.getElementById("send").textContent = t.send;
    input.placeholder = t.placeholder;
    log.setAttribute("aria-label", t.conversation);
    area.setAttribute("aria-label", t.conversation);
    const first = log.firstElementChild;
    if (first && first.classList.contains("welcome") && log.children.length === 1) showWelcome();
  }

  // -- scrolling: the newest reply sits above the message box, whole when it fits, else from its start (its live
  // buttons then stick to the bottom of the conversation area, see chat.css) --------------------------------------
  function reveal(li) {
    const view = area.getBoundingClientRect();
    const box = li.getBoundingClientRect();
    if (box.height <= view.height) {
      if (box.bottom > view.bottom) area.scrollTop += box.bottom - view.bottom;
      else if (box.top < view.top) area.scrollTop += box.top - view.top;
    } else {
      area.scrollTop += box.top - view.top;
    }
  }

  function item(className) {
    const li = document.createElement("li");
    li.className = className;
    log.appendChild(li);
    return li;
  }

  function addUser(text, restored) {
    const li = item(restored ? "user restored" : "user");
    li.textContent = text;
    return li;
  }

  function addError(text) {
    const li = item("error");
    li.setAttribute("role", "alert");
    li.textContent = text;
    reveal(li);
  }

  // -- choices: live until answered; then every earlier button is disabled, the chosen one marked ----------------
  function choiceBox(buttons) {
    const box = document.createElement("div");
    box.className = "choices live";
    buttons.forEach(function (spec) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      button.textContent = spec.text;
      button.addEventListener("click", function () { spec.act(button); });
      box.appendChild(button);
    });
    return box;
  }

  function replyChoices(choices, step) {
    return choiceBox(choices.map(function (choice) {
      return { text: choice.number + ". " + choice.label,
               act: function (button) { send(String(choice.number), choice.label, button, step || null); } };
    }));
  }

  function closeChoices(chosen) {
    const closed = Array.from(log.querySelectorAll(".choices.live"));
    closed.forEach(function (box) {
      box.classList.remove("live");
      box.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    });
    if (chosen) {
      chosen.classList.add("chosen");
      const mark = document.createElement("span");
      mark.className = "visually-hidden";
      mark.textContent = " " + UI[uiLang].chosen;
      chosen.appendChild(mark);
    }
    return closed;
  }

  function reopen(boxes, chosen) {
    boxes.forEach(function (box) {
      box.classList.add("live");
      box.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
    if (chosen) {
      chosen.classList.remove("chosen");
      const mark = chosen.querySelector(".visually-hidden");
      if (mark) mark.remove();
    }
  }

  function addBot(reply) {
    const li = item("bot");
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
    (reply.notices || []).forEach(function (notice) {
      const text = notice === "store_unavailable" ? UI[uiLang].storeDown
        : (notice === "truncated" || notice === "truncated_for_matching") ? UI[uiLang].truncated : null;
      if (!text) return;
      const p = document.createElement("p");
      p.className = notice === "store_unavailable" ? "notice alert" : "notice";
      if (notice === "store_unavailable") p.setAttribute("role", "alert");
      p.textContent = text;
      li.appendChild(p);
    });
    if (reply.choices && reply.choices.length) li.appendChild(replyChoices(reply.choices, reply.step));
    return li;
  }

  // A line of a restored transcript: plain text as the store keeps it.
  function addRestoredBot(text) {
    const li = item("bot restored");
    const body = document.createElement("div");
    body.className = "answer plain";
    body.textContent = text;
    li.appendChild(body);
    return li;
  }

  function focusAfterReply(li) {
    // Keyboard users go on from where they are: the new reply's first button, or the message box.
    const active = document.activeElement;
    if (active === input) return;
    const next = li && li.querySelector(".choices.live button");
    (next || input).focus({ preventScroll: true });
  }

  async function send(text, shown, chosen, step) {
    const closed = closeChoices(chosen);
    const typed = !chosen;
    if (typed) step = openStep;
    addUser(shown || text);
    const pending = item("pending");
    pending.setAttribute("aria-label", UI[uiLang].waiting);
    pending.textContent = "…";
    reveal(pending);
    const payload = { text: text };
    if (sessionId) payload.session_id = sessionId;
    if (langSelect.value) payload.lang = langSelect.value;
    if (step) payload.step = step;
    function failed(message) {
      pending.remove();
      reopen(closed, chosen);
      if (typed && !input.value) input.value = text; // nothing was lost: send it again
      addError(message);
      focusAfterReply(null);
    }
    let response, data;
    try {
      response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
      });
      data = await response.json();
    } catch (err) {
      failed(UI[uiLang].error);
      return;
    }
    if (!response.ok) {
      failed(data && data.detail ? UI[uiLang].failed + " " + String(data.detail) : UI[uiLang].error);
      return;
    }
    pending.remove();
    openStep = data.step || null;
    sessionId = data.session_id;
    localStorage.setItem(STORAGE_KEY, sessionId);
    if (!langSelect.value) applyUi(data.lang);
    const li = addBot(data);
    if (typed && (data.notices || []).indexOf("store_unavailable") >= 0 && !input.value) input.value = text;
    reveal(li);
    focusAfterReply(li);
  }

  // -- the first screen ---------------------------------------------------------------------------------------
  function showWelcome() {
    log.textContent = "";
    const w = welcome && (welcome[uiLang] || welcome.en);
    if (!w) return;
    const li = item("bot welcome");
    const intro = document.createElement("p");
    intro.textContent = w.intro;
    li.appendChild(intro);
    li.appendChild(choiceBox(w.topics.map(function (topic) {
      return { text: topic.label, act: function (button) { send(topic.text, topic.label, button); } };
    })));
    const actions = choiceBox([
      { text: w.request.label, act: function (button) { requestMenu(w.request, button); } },
      { text: w.status.label, act: function (button) { send(w.status.text, w.status.label, button); } },
    ]);
    actions.classList.add("actions");
    li.appendChild(actions);
  }

  function requestMenu(request, button) {
    closeChoices(button);
    addUser(button.firstChild.textContent);
    const li = item("bot");
    const prompt = document.createElement("p");
    prompt.textContent = request.prompt;
    li.appendChild(prompt);
    li.appendChild(choiceBox(request.types.map(function (type) {
      return { text: type.label, act: function (b) { send(type.text, type.label, b); } };
    })));
    reveal(li);
    focusAfterReply(li);
  }

  async function loadWelcome() {
    try {
      const response = await fetch("/static/welcome.json");
      if (response.ok) welcome = await response.json();
    } catch (err) {
      welcome = null; // offline: the page still works, without the topic buttons
    }
  }

  // -- a reload: the conversation as the store keeps it -----------------------------------------------------------
  async function resume() {
    if (!sessionId) return false;
    let data;
    try {
      const payload = { session_id: sessionId };
      if (langSelect.value) payload.lang = langSelect.value;
      const response = await fetch("/api/resume", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
      });
      if (!response.ok) return false;
      data = await response.json();
    } catch (err) {
      return false; // offline: the next message will show what is waiting
    }
    const lines = data.transcript || [];
    let last = null;
    lines.forEach(function (line) {
      last = line.role === "user" ? addUser(line.text, true) : addRestoredBot(line.text);
    });
    openStep = data.step || null;
    if (last && last.classList.contains("bot") && data.choices && data.choices.length) {
      last.appendChild(replyChoices(data.choices, data.step));
    }
    (data.messages || []).forEach(function (message) { last = addBot(message); });
    if (last) {
      area.scrollTop = area.scrollHeight;
      if (data.messages && data.messages.length) reveal(last);
    }
    return lines.length > 0 || (data.messages || []).length > 0;
  }

  document.getElementById("new-conversation").addEventListener("click", function () {
    localStorage.removeItem(STORAGE_KEY);
    sessionId = null;
    openStep = null;
    showWelcome();
    input.focus();
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
  Promise.all([loadWelcome(), resume()]).then(function (results) {
    if (!results[1]) showWelcome();
    document.body.dataset.ready = "1"; // for tests: the first screen is complete
  });
})();
