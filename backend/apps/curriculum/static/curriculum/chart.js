// PhatAm phonemic chart: click (or Tab + Enter/Space) a phoneme to hear it.
//
// Which file plays comes from the API: the best stored audio of each phoneme for the accent
// (/api/phonemes/?accent=), else audio generated on demand (/api/phonemes/<id>/audio/). When
// there is no file, or it fails to load or play, the browser's speech synthesis says an
// example word instead; when that is missing too, the page says so.
(() => {
  "use strict";

  const TIER_LABELS = {
    native: "Người bản xứ (native recording)",
    tts: "TTS đã lưu (cached TTS)",
    generated: "TTS vừa tạo (generated TTS)",
    web_speech: "Giọng của trình duyệt (browser voice)",
  };
  const statusEl = document.getElementById("status");
  const checked = (name) => document.querySelector(`input[name="${name}"]:checked`);
  const state = {
    accent: checked("accent") ? checked("accent").value : "en-US",
    speed: checked("speed") ? parseFloat(checked("speed").value) : 1,
    phonemes: new Map(),
    pairs: new Map(),
    current: null,
    shown: null, // the phoneme in the panel (its id)
    loads: 0, // the latest audio-list request: an older answer must not win
    clicks: 0, // the latest click: a slow answer for an earlier one must not play over it
  };

  // Text in a language other than the page's Vietnamese is marked: IPA and English words.
  function inLang(lang, text) {
    const span = document.createElement("span");
    span.lang = lang;
    span.textContent = text;
    return span;
  }

  // What is playing, for the status line: /iː/, or “see” /iː/ for an example word.
  function soundLabel(phoneme, word) {
    if (!phoneme) return [];
    const symbol = inLang("en-fonipa", `/${phoneme.display_symbol || phoneme.ipa_symbol}/`);
    return word ? ["“", inLang("en", word), "” ", symbol] : [symbol];
  }

  // ``text`` is a string or a list of strings and nodes (see soundLabel).
  function setStatus(text, tier, extra = {}) {
    statusEl.replaceChildren(...(Array.isArray(text) ? text : [text]));
    statusEl.dataset.tier = tier;
    for (const [key, value] of Object.entries(extra)) statusEl.dataset[key] = value;
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(path, options = {}) {
    const response = await fetch(path, {
      credentials: "same-origin",
      ...options,
      headers: { Accept: "application/json", ...(options.headers || {}) },
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  async function loadPhonemes() {
    const load = ++state.loads;
    const list = await api(`/api/phonemes/?accent=${encodeURIComponent(state.accent)}`);
    if (load === state.loads) {
      state.phonemes = new Map(list.map((phoneme) => [String(phoneme.id), phoneme]));
      showAccentSymbols();
    }
  }

  // Keys, panel and words show the chosen accent's forms: /oʊ/ for /əʊ/, car /kɑːr/ in en-US.
  const ipaFor = (ipa, ipaUs) => (state.accent === "en-US" && ipaUs) || ipa;

  function showAccentSymbols() {
    document.querySelectorAll(".phoneme").forEach((button) => {
      const phoneme = state.phonemes.get(button.dataset.id);
      const symbol = button.querySelector(".ipa");
      if (phoneme && symbol) symbol.textContent = phoneme.display_symbol || phoneme.ipa_symbol;
    });
    const shown = state.phonemes.get(state.shown);
    if (shown && !document.getElementById("detail").hidden) showDetail(shown);
  }

  let loading = loadPhonemes().catch(() => {
    setStatus("Không tải được dữ liệu âm thanh. (Could not load the audio list.)", "none");
  });

  function stopCurrent() {
    if (state.current) {
      state.current.pause();
      state.current = null;
    }
    document.querySelectorAll(".phoneme.playing").forEach((b) => b.classList.remove("playing"));
    if (window.speechSynthesis && window.speechSynthesis.cancel) window.speechSynthesis.cancel();
  }

  function fallbackFor(phoneme, word) {
    const text = word || (phoneme && phoneme.example_words[0] ? phoneme.example_words[0].word : "");
    return { text, lang: state.accent, label: soundLabel(phoneme, word) };
  }

  function speak(webSpeech) {
    if (!window.speechSynthesis || typeof window.SpeechSynthesisUtterance !== "function") {
      setStatus(
        "Trình duyệt này không phát được âm thanh và không có giọng đọc. " +
          "(This browser can play neither the audio file nor a speech voice.)",
        "none",
        { lastSrc: "" },
      );
      return;
    }
    if (!webSpeech || !webSpeech.text) {
      const label = webSpeech && webSpeech.label ? [...webSpeech.label, " — "] : [];
      setStatus([...label, "Chưa có âm thanh cho âm này. (No audio for this sound yet.)"], "none", {
        lastSrc: "",
      });
      return;
    }
    const utterance = new window.SpeechSynthesisUtterance(webSpeech.text);
    utterance.lang = webSpeech.lang;
    utterance.rate = state.speed;
    window.speechSynthesis.speak(utterance);
    const label = webSpeech.label && webSpeech.label.length ? webSpeech.label : [];
    setStatus(
      [
        "Đang phát ",
        ...label,
        ` — ${TIER_LABELS.web_speech}: “`,
        inLang(webSpeech.lang, webSpeech.text),
        `” (${webSpeech.lang})`,
      ],
      "web_speech",
      { lastSrc: "", quality: "" },
    );
  }

  function recordPlay(audioSourceId) {
    fetch(`/api/audio/${audioSourceId}/plays/`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).catch(() => {}); // counting is best effort; the learner still hears the sound
  }

  function playAudio(audio, fallback, button) {
    stopCurrent();
    const element = new Audio(audio.url);
    element.defaultPlaybackRate = state.speed;
    element.playbackRate = state.speed;
    element.preservesPitch = true;
    state.current = element;
    window.phatamAudio = element; // for the browser tests and for curious learners
    let started = false;
    let fellBack = false;
    const fallBack = () => {
      if (started || fellBack) return;
      fellBack = true;
      speak(fallback);
    };
    element.addEventListener("playing", () => {
      if (started) return;
      started = true;
      setStatus(
        // The sound, then who or what made the clip, in learner words (provenance.text_vi).
        [
          "Đang phát ",
          ...(fallback.label || []),
          ` — ${TIER_LABELS[audio.source_type] || audio.source_type} · ${audio.provenance ? audio.provenance.text_vi : audio.voice_id}`,
        ],
        audio.source_type,
        { lastSrc: audio.url, quality: String(audio.quality_score) },
      );
      recordPlay(audio.audio_source_id);
      if (button) button.classList.add("playing");
    });
    element.addEventListener("ended", () => button && button.classList.remove("playing"));
    element.addEventListener("error", fallBack);
    element.play().catch((error) => {
      if (error.name !== "AbortError") fallBack();
    });
  }

  async function playThroughChain(phoneme, word, button) {
    const click = ++state.clicks;
    const stored = word ? null : phoneme.audio;
    if (stored) {
      playAudio(stored, fallbackFor(phoneme, word), button);
      return;
    }
    setStatus(
      ["Đang chuẩn bị âm thanh ", ...soundLabel(phoneme, word), "… (Preparing audio…)"],
      "loading",
    );
    const query = new URLSearchParams({ accent: state.accent });
    if (word) query.set("word", word);
    try {
      const answer = await api(`/api/phonemes/${phoneme.id}/audio/?${query}`);
      if (click !== state.clicks) return; // the learner has clicked something else since
      if (answer.audio) {
        if (!word) phoneme.audio = answer.audio;
        playAudio(answer.audio, fallbackFor(phoneme, word), button);
      } else {
        const fallback = fallbackFor(phoneme, word);
        speak(answer.web_speech ? { ...answer.web_speech, label: fallback.label } : fallback);
      }
    } catch (error) {
      if (click === state.clicks) speak(fallbackFor(phoneme, word));
    }
  }

  function wordButton(phonemeId, word, ipa) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "word-button";
    button.lang = "en";
    button.dataset.word = word;
    button.append(word + " ");
    const small = document.createElement("small");
    small.lang = "en-fonipa";
    small.textContent = ipa;
    button.append(small);
    button.addEventListener("click", async () => {
      await loading;
      const phoneme = state.phonemes.get(String(phonemeId));
      if (phoneme) playThroughChain(phoneme, word, null);
    });
    return button;
  }

  async function showDetail(phoneme) {
    const detail = document.getElementById("detail");
    detail.hidden = false;
    state.shown = String(phoneme.id);
    document.getElementById("detail-ipa").textContent =
      `/${phoneme.display_symbol || phoneme.ipa_symbol}/`;
    document.getElementById("detail-approx").textContent = phoneme.vietnamese_approx;
    document.getElementById("detail-description").textContent = phoneme.description_vi;
    document.getElementById("detail-tip").textContent = phoneme.tip_vi;
    document.getElementById("detail-accent").textContent = phoneme.accent_notes;
    const words = document.getElementById("detail-words");
    words.replaceChildren(
      ...phoneme.example_words.map((w) => wordButton(phoneme.id, w.word, ipaFor(w.ipa, w.ipa_us))),
    );

    const pairs = document.getElementById("detail-pairs");
    if (!state.pairs.has(phoneme.id)) {
      state.pairs.set(phoneme.id, api(`/api/minimal-pairs/?phoneme=${phoneme.id}`).catch(() => []));
    }
    const list = await state.pairs.get(phoneme.id);
    pairs.replaceChildren(
      ...list.map((pair) => {
        const span = document.createElement("span");
        span.className = "pair";
        span.title = pair.note_vi;
        span.append(
          wordButton(pair.phoneme_1_id, pair.word_1, `/${ipaFor(pair.word_1_ipa, pair.word_1_ipa_us)}/`),
          "–",
          wordButton(pair.phoneme_2_id, pair.word_2, `/${ipaFor(pair.word_2_ipa, pair.word_2_ipa_us)}/`),
        );
        return span;
      }),
    );
  }

  // The key that opened the panel: "Back to the chart" returns there.
  let opener = null;
  const toDetail = document.getElementById("to-detail");

  // The panel is 44 Tab stops away (and below the chart on a phone): after a key is used, a
  // "Xem chi tiết" link follows the key's row. The focus stays on the key, so Tab still goes
  // on to the next sound; the link moves the focus to the panel's heading and shows it.
  function offerDetail(button, phoneme) {
    toDetail.querySelector("[lang]").textContent =
      `/${phoneme.display_symbol || phoneme.ipa_symbol}/`;
    button.closest(".row").after(toDetail);
    toDetail.hidden = false;
  }

  toDetail.addEventListener("click", (event) => {
    event.preventDefault();
    const heading = document.getElementById("detail-heading");
    heading.focus({ preventScroll: true });
    document.getElementById("detail").scrollIntoView({ block: "start" });
  });

  document.querySelectorAll(".phoneme").forEach((button) => {
    button.addEventListener("click", async () => {
      await loading;
      const phoneme = state.phonemes.get(button.dataset.id);
      if (!phoneme) {
        speak(null);
        return;
      }
      opener = button;
      showDetail(phoneme);
      offerDetail(button, phoneme);
      playThroughChain(phoneme, "", button);
    });
  });

  document.getElementById("detail-back").addEventListener("click", (event) => {
    if (!opener) return; // the link's own #chart jump
    event.preventDefault();
    opener.focus({ preventScroll: true });
    opener.scrollIntoView({ block: "center" });
  });

  document.querySelectorAll('input[name="accent"]').forEach((input) =>
    input.addEventListener("change", () => {
      stopCurrent();
      state.accent = input.value;
      loading = loadPhonemes().catch(() => {
        setStatus("Không tải được dữ liệu âm thanh. (Could not load the audio list.)", "none");
      });
    }),
  );
  document.querySelectorAll('input[name="speed"]').forEach((input) =>
    input.addEventListener("change", () => {
      state.speed = parseFloat(input.value);
      if (state.current) state.current.playbackRate = state.speed;
    }),
  );
})();
