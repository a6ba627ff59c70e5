/* Listening drills: fetch an item, play its audio, take the answer (click, 1/2/3 or A/B/C),
   show why and which voice spoke, go on (Enter). Space replays. Two formats: "identify" (one
   word, pick it of two) and "oddity" (three sounds in three voices, pick the odd one). The
   item's audio comes from an URL that names only the item: the page learns the word when it
   answers, like the learner. The accent chosen is remembered in the learner's profile. */
(function () {
  "use strict";

  var root = document.getElementById("drill");
  if (!root) return;

  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var prompt = document.getElementById("drill-prompt");
  var replay = document.getElementById("drill-replay");
  var feedback = document.getElementById("drill-feedback");
  var next = document.getElementById("drill-next");
  var done = document.getElementById("drill-done");
  var right = document.getElementById("drill-right");
  var kindSelect = document.getElementById("drill-kind");
  var pairLine = document.getElementById("drill-pair");
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 40rem)") : { matches: false };
  var choices = Array.prototype.slice.call(root.querySelectorAll(".choice"));
  var audio = new Audio();
  var item = null;
  var objectUrl = null;
  var answered = false;
  var busy = false;
  var counts = { done: 0, right: 0 };
  window.phatamDrillAudio = audio;

  function setState(state) {
    root.dataset.state = state;
  }

  function accent() {
    var checked = root.querySelector('input[name="drill-accent"]:checked');
    return checked ? checked.value : "";
  }

  function nextUrl() {
    var url = new URL(root.dataset.nextUrl, window.location.href);
    if (accent()) url.searchParams.set("accent", accent());
    if (kindSelect && kindSelect.value) url.searchParams.set("kind", kindSelect.value);
    return url.toString();
  }

  function clear(element) {
    while (element.firstChild) element.removeChild(element.firstChild);
  }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  function say(message, tone) {
    clear(feedback);
    feedback.className = "feedback" + (tone ? " " + tone : "");
    if (message) feedback.appendChild(el("p", message));
  }

  function resetChoices() {
    pairLine.hidden = true;
    choices.forEach(function (button) {
      button.disabled = true;
      button.classList.remove("correct", "wrong");
      button.querySelector(".word").textContent = "";
      button.querySelector(".ipa").textContent = "";
      button.querySelector(".mark").textContent = "";
    });
  }

  function play() {
    if (!audio.src) return;
    audio.currentTime = 0;
    var started = audio.play();
    if (started && started.catch) {
      started.catch(function () {
        prompt.textContent = "Bấm “Nghe lại” (hoặc phím Space) để nghe từ.";
      });
    }
  }

  audio.addEventListener("playing", function () {
    root.dataset.played = String(Number(root.dataset.played || 0) + 1);
  });

  function fetchJson(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, ok: response.ok, body: body };
      });
    });
  }

  function load(retries) {
    if (retries === undefined) retries = 2;
    busy = true;
    answered = false;
    item = null;
    setState("loading");
    resetChoices();
    replay.disabled = true;
    next.hidden = true;
    prompt.textContent = "Đang tải bài nghe…";
    return fetchJson(nextUrl())
      .then(function (answer) {
        if (answer.status === 503 && retries > 0) {
          say("Bài này chưa có âm thanh, đang chuyển sang bài khác…");
          return load(retries - 1);
        }
        if (!answer.ok) throw new Error(answer.body.detail || "Không tải được bài nghe.");
        item = answer.body;
        return fetch(item.audio_url, { credentials: "same-origin" }).then(function (response) {
          if (response.status === 503 && retries > 0) return load(retries - 1);
          if (!response.ok) throw new Error("Không tải được âm thanh của bài này.");
          return response.blob().then(function (blob) { show(item, blob); });
        });
      })
      .catch(function (error) {
        setState("error");
        prompt.textContent = error.message + " Bấm “Bài tiếp theo” để thử lại.";
        next.hidden = false;
        busy = false;
      });
  }

  function show(data, blob) {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = URL.createObjectURL(blob);
    audio.src = objectUrl;
    choices.forEach(function (button) {
      var choice = data.choices.filter(function (c) { return c.key === button.dataset.key; })[0];
      button.hidden = !choice;
      if (!choice) return;
      var word = button.querySelector(".word");
      word.textContent = choice.label;
      word.lang = data.format === "oddity" ? "vi" : "en";
      button.querySelector(".ipa").textContent = choice.ipa ? "/" + choice.ipa + "/" : "";
      button.disabled = false;
    });
    if (data.format === "oddity" && data.words) {
      clear(pairLine);
      pairLine.appendChild(document.createTextNode("Cặp từ: "));
      data.words.forEach(function (word, index) {
        if (index) pairLine.appendChild(document.createTextNode(" – "));
        pairLine.appendChild(el("span", word.label, { lang: "en" }));
        pairLine.appendChild(document.createTextNode(" "));
        pairLine.appendChild(el("span", "/" + word.ipa + "/", { lang: "en-fonipa", class: "ipa" }));
      });
      pairLine.hidden = false;
    }
    prompt.textContent = data.prompt_vi;
    say("");
    replay.disabled = false;
    root.dataset.itemId = String(data.id);
    setState("ready");
    busy = false;
    replay.focus();
    play();
  }

  function wordLine(label, word) {
    var line = el("p");
    line.appendChild(document.createTextNode(label + " "));
    line.appendChild(el("strong", word.word, { lang: "en" }));
    line.appendChild(document.createTextNode(" "));
    line.appendChild(el("span", "/" + word.ipa + "/", { lang: "en-fonipa", class: "ipa" }));
    line.appendChild(document.createTextNode(" – âm "));
    line.appendChild(el("span", "/" + word.phoneme_ipa + "/", { lang: "en-fonipa", class: "ipa" }));
    line.appendChild(document.createTextNode(" (" + word.vietnamese_approx + ")"));
    return line;
  }

  function answer(key) {
    if (!item || answered || busy) return;
    busy = true;
    fetchJson(item.answer_url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ choice: key }),
    }).then(function (result) {
      busy = false;
      if (result.status === 409) {
        say("Bài này đã được trả lời rồi. Bấm Enter để sang bài tiếp.");
        answered = true;
        next.hidden = false;
        return;
      }
      if (!result.ok) {
        say(result.body.detail || "Không gửi được câu trả lời. Hãy thử lại.", "bad");
        return;
      }
      showResult(key, result.body);
    }).catch(function () {
      busy = false;
      say("Mất kết nối: không gửi được câu trả lời. Hãy thử lại.", "bad");
    });
  }

  function showResult(key, data) {
    answered = true;
    counts.done += 1;
    if (data.correct) counts.right += 1;
    done.textContent = String(counts.done);
    right.textContent = String(counts.right);
    var oddity = data.format === "oddity";
    choices.forEach(function (button) {
      button.disabled = true;
      var mark = button.querySelector(".mark");
      if (button.dataset.key === data.answer.key) {
        button.classList.add("correct");
        mark.textContent = button.dataset.key === key ? "✓ Bạn chọn đúng" :
          (oddity ? "✓ Tiếng khác" : "✓ Từ được phát");
      } else if (button.dataset.key === key) {
        button.classList.add("wrong");
        mark.textContent = "✗ Bạn chọn";
      }
    });
    clear(feedback);
    feedback.className = "feedback " + (data.correct ? "good" : "bad");
    feedback.appendChild(el("p", data.correct ? "✓ Đúng rồi!" : "✗ Chưa đúng.", { class: "verdict" }));
    if (oddity) {
      feedback.appendChild(wordLine("Tiếng thứ " + data.odd_position + " là:", data.answer));
      feedback.appendChild(wordLine("Hai tiếng kia là:", data.other));
    } else {
      feedback.appendChild(wordLine("Từ được phát:", data.answer));
      feedback.appendChild(wordLine("Từ còn lại:", data.other));
    }
    if (data.note_vi) feedback.appendChild(el("p", data.note_vi));
    (data.tips_vi || []).slice(0, 1).forEach(function (tip) {
      feedback.appendChild(el("p", "Mẹo: " + tip, { class: "tip-line" }));
    });
    feedback.appendChild(el("p", "Giọng đọc: " + data.voice_label_vi + ".", { class: "voice-line" }));
    var mastery = data.mastery;
    if (mastery && mastery.percent !== null) {
      feedback.appendChild(el("p", "Cặp từ này: thành thạo " + mastery.percent + "% (" +
        mastery.correct + "/" + mastery.answered + " câu gần nhất đúng).", { class: "mastery-line" }));
    } else if (mastery) {
      feedback.appendChild(el("p", "Cặp từ này: đúng " + mastery.correct + "/" + mastery.answered +
        " câu gần nhất; cần thêm vài câu nữa để tính độ thành thạo.", { class: "mastery-line" }));
    }
    if (data.lesson) {
      feedback.appendChild(el("p", data.lesson.status === "completed" ? "✓ Bạn đã hoàn thành bài học này!" :
        "Bài học: đúng " + data.lesson.window_correct + "/10 câu gần nhất. " + data.lesson.needed_vi,
        { class: "lesson-line" }));
    }
    if (data.placement) {
      var placement = data.placement;
      var line = el("p", "Bài kiểm tra xếp lớp: " + placement.answered + "/" + placement.total + " câu.",
        { class: "placement-line" });
      if (placement.done && placement.first_lesson_url) {
        line.appendChild(document.createTextNode(" Xong! "));
        line.appendChild(el("a", "Bắt đầu bài học đầu tiên của bạn", { href: placement.first_lesson_url,
          id: "placement-first-lesson" }));
      }
      feedback.appendChild(line);
    }
    setState("answered");
    next.hidden = Boolean(data.placement && data.placement.done);
    if (narrow.matches) root.scrollIntoView({ block: "start" });
    if (!next.hidden) next.focus({ preventScroll: true });
    root.dispatchEvent(new CustomEvent("drill:answered", { detail: data, bubbles: true }));
  }

  choices.forEach(function (button) {
    button.addEventListener("click", function () { answer(button.dataset.key); });
  });
  replay.addEventListener("click", play);
  if (kindSelect) kindSelect.addEventListener("change", function () { if (!busy) load(); });
  next.addEventListener("click", function () { load(); });

  var KEYS = { "1": "a", a: "a", A: "a", "2": "b", b: "b", B: "b", "3": "c", c: "c", C: "c" };

  function keyOffered(key) {
    return choices.some(function (button) { return button.dataset.key === key && !button.hidden; });
  }

  // The accent chosen is the learner's from now on (their profile remembers it).
  root.querySelectorAll('input[name="drill-accent"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      fetchJson(root.dataset.profileUrl, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ accent: accent() }),
      }).catch(function () { /* this page still uses it */ });
      if (!busy) load();
    });
  });

  function typing(target) {
    return target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) && target.type !== "radio";
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    if (event.key === " ") {
      event.preventDefault(); // Space replays, whichever button has the focus
      play();
    } else if (event.key === "Enter" && answered && !busy) {
      event.preventDefault();
      load();
    } else if (KEYS[event.key] && !answered && keyOffered(KEYS[event.key])) {
      event.preventDefault();
      answer(KEYS[event.key]);
    }
  });
  document.addEventListener("keyup", function (event) {
    // A focused button would also be clicked by Space's keyup.
    if (event.key === " " && !typing(event.target)) event.preventDefault();
  });

  load();
})();
