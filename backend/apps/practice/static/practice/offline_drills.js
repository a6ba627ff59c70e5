// Offline listening drills (/hoc/ngoai-tuyen/): the pack downloaded from the chart page
// (kept in the "phatam-pages" cache by curriculum/offline.js), answered with immediate
// feedback. Each answer gets a random key and waits in IndexedDB until the connection
// returns; it is then sent to /api/drills/offline-answers/, which records each key once, so
// a sync repeated after a lost reply adds nothing. An answer leaves the queue only when the
// server has said what it did with it.
(() => {
  "use strict";

  const PACK_URL = "/hoc/ngoai-tuyen/pack.json";
  const SYNC_URL = "/api/drills/offline-answers/";
  const prompt = document.getElementById("offline-prompt");
  const play = document.getElementById("offline-play");
  const choices = document.getElementById("offline-choices");
  const feedback = document.getElementById("offline-feedback");
  const next = document.getElementById("offline-next");
  const queueStatus = document.getElementById("offline-queue");
  let pack = null;
  let current = null;

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("phatam", 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("answers", { keyPath: "client_key" });
        request.result.createObjectStore("answered", { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function store(name, mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(name, mode);
      const result = work(transaction.objectStore(name));
      transaction.oncomplete = () => resolve(result && "result" in result ? result.result : result);
      transaction.onerror = () => reject(transaction.error);
    });
  }

  const queued = () => store("answers", "readonly", (s) => s.getAll());
  const answeredIds = async () =>
    new Set((await store("answered", "readonly", (s) => s.getAll())).map((row) => row.id));

  async function showQueue() {
    const count = (await queued()).length;
    queueStatus.textContent = count
      ? `${count} câu trả lời đang chờ gửi khi có mạng.`
      : "Mọi câu trả lời đã được gửi.";
    queueStatus.dataset.queued = String(count);
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  let syncing = null;
  let syncs = 0; // finished attempts, for the browser tests
  async function sync() {
    if (!navigator.onLine || syncing) return syncing;
    syncing = (async () => {
      const answers = await queued();
      if (!answers.length) return;
      const response = await fetch(SYNC_URL, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify({ answers }),
      });
      if (!response.ok) return;
      const { results } = await response.json();
      await store("answers", "readwrite", (s) => {
        for (const key of Object.keys(results)) s.delete(key);
      });
    })()
      .catch(() => {}) // no answer: the queue stays for the next try
      .finally(async () => {
        syncing = null;
        syncs += 1;
        await showQueue();
        queueStatus.dataset.syncs = String(syncs);
      });
    return syncing;
  }

  function choiceButton(choice) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "choice";
    button.lang = "en";
    button.dataset.key = choice.key;
    button.append((choice.label || choice.word) + " ");
    const ipa = document.createElement("small");
    ipa.lang = "en-fonipa";
    ipa.textContent = `/${choice.ipa}/`;
    button.append(ipa);
    button.addEventListener("click", () => answer(choice.key));
    return button;
  }

  async function answer(key) {
    if (!current || current.answered) return;
    current.answered = true;
    const right = key === current.item.answer_key;
    feedback.textContent = right ? current.item.right_vi : current.item.wrong_vi;
    feedback.dataset.correct = String(right);
    choices.querySelectorAll("button").forEach((b) => (b.disabled = true));
    const row = {
      id: current.item.id,
      choice: key,
      client_key: crypto.randomUUID(),
      answered_at: new Date().toISOString(),
    };
    await store("answers", "readwrite", (s) => s.put(row));
    await store("answered", "readwrite", (s) => s.put({ id: row.id }));
    next.hidden = false;
    await showQueue();
    sync();
  }

  async function showNext() {
    const done = await answeredIds();
    const item = pack.items.find((candidate) => !done.has(candidate.id));
    feedback.textContent = "";
    next.hidden = true;
    if (!item) {
      current = null;
      prompt.textContent = "Bạn đã làm hết các bài đã tải về. Hãy tải gói mới khi có mạng.";
      play.hidden = true;
      choices.replaceChildren();
      return;
    }
    current = { item, answered: false };
    prompt.textContent = pack.prompt_vi;
    play.hidden = false;
    choices.replaceChildren(...item.choices.map(choiceButton));
  }

  play.addEventListener("click", () => {
    if (!current) return;
    const audio = new Audio(current.item.audio_url);
    window.phatamAudio = audio; // for the browser tests
    audio.play().catch(() => {
      feedback.textContent = "Không phát được âm thanh này (chưa tải về?).";
    });
  });
  next.addEventListener("click", showNext);
  window.addEventListener("online", sync);

  (async () => {
    const kept = "caches" in window ? await caches.match(PACK_URL) : null;
    if (!kept) {
      prompt.textContent =
        "Chưa có bài luyện nào được tải về. Trên bảng âm, bấm “Tải về để học khi không có mạng”.";
      await showQueue();
      return;
    }
    pack = await kept.json();
    await showNext();
    await showQueue();
    sync();
  })();
})();
