/* PhatAm recording studio: pick a phoneme, record it (MediaRecorder), watch the level
   (AnalyserNode), and send each take as a 16-bit mono WAV made in the page (Web Audio
   decodes the recording). The server trims, normalises and judges it at once; a take that
   sounds right is saved (and pinned) with one click, without sending it again. */
(function () {
  "use strict";

  var recorder = document.getElementById("recorder");
  if (!recorder) return;

  var MAX_MS = 15000; // a take longer than this stops by itself
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var accent = recorder.dataset.accent;
  var status = document.getElementById("recorder-status");
  var takes = document.getElementById("takes");
  var meter = document.getElementById("level");
  var pin = document.getElementById("pin");
  var recordButton = recorder.querySelector('[data-action="record"]');
  var stopButton = recorder.querySelector('[data-action="stop"]');
  var player = new Audio();
  var state = { row: null, take: 0, capture: null };

  var MICROPHONE = {
    NotAllowedError: "Trình duyệt chưa cho dùng micro: bấm biểu tượng ổ khoá cạnh địa chỉ trang, " +
      "cho phép micro rồi tải lại trang. (Microphone permission denied.)",
    NotFoundError: "Không tìm thấy micro. (No microphone found.)",
    NotReadableError: "Micro đang bị ứng dụng khác dùng. (The microphone is busy.)",
    SecurityError: "Trang phải mở qua HTTPS để dùng micro. (HTTPS is needed for the microphone.)",
    Unsupported: "Trình duyệt này không ghi âm được. (This browser cannot record.)",
  };

  function tell(message, kind) {
    status.textContent = message;
    status.dataset.kind = kind || "";
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".phoneme-row"));
  }

  function api(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ Accept: "application/json", "X-CSRFToken": csrf }, options.headers || {});
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  function detail(body, fallback) {
    var value = body.message_vi || body.detail || (body.file && body.file[0]) || fallback;
    return Array.isArray(value) ? value.join(" ") : String(value);
  }

  /* Choosing a phoneme: the panel names it and its words; takes of another phoneme go. */
  function select(row) {
    if (state.capture) return false; // finish the take first
    if (state.row !== row) {
      if (state.row) state.row.classList.remove("selected");
      state.row = row;
      row.classList.add("selected");
      takes.replaceChildren();
      tell("");
    }
    recorder.hidden = false;
    document.getElementById("recorder-symbol").textContent = "/" + row.dataset.symbol + "/";
    var words = row.querySelector(".words");
    document.getElementById("recorder-words").textContent = words ? words.textContent.trim() : "";
    return true;
  }

  var toWav = window.PhatAmRecording.toWav; // curriculum/recording.js

  /* The level meter: RMS of the microphone's last ~40 ms, in dBFS. */
  function watchLevel(stream, capture) {
    var Context = window.AudioContext || window.webkitAudioContext;
    var context = new Context();
    var analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    context.createMediaStreamSource(stream).connect(analyser);
    var buffer = new Float32Array(analyser.fftSize);
    var peak = -Infinity;
    function tick() {
      if (capture.done) return;
      analyser.getFloatTimeDomainData(buffer);
      var sum = 0;
      for (var i = 0; i < buffer.length; i++) sum += buffer[i] * buffer[i];
      var db = 10 * Math.log10(sum / buffer.length + 1e-12);
      meter.value = Math.max(-60, db);
      if (db > peak) {
        peak = db;
        meter.dataset.peak = db.toFixed(1);
      }
      capture.frame = window.requestAnimationFrame(tick);
    }
    tick();
    capture.context = context;
  }

  function record(row) {
    if (state.capture || !select(row)) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      tell(MICROPHONE.Unsupported, "error");
      return;
    }
    var capture = { done: false, chunks: [] };
    state.capture = capture;
    recordButton.disabled = true;
    delete meter.dataset.peak;
    tell("Đang mở micro… (Opening the microphone…)");
    // A reference recording: no echo cancelling, noise suppression or automatic gain, which
    // colour the vowel; the server sets the loudness.
    navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    })
      .then(function (stream) {
        capture.stream = stream;
        capture.recorder = new MediaRecorder(stream);
        capture.recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) capture.chunks.push(event.data);
        });
        capture.recorder.addEventListener("stop", function () { finish(capture, row); });
        watchLevel(stream, capture);
        capture.recorder.start();
        capture.timer = window.setTimeout(stop, MAX_MS);
        recorder.dataset.state = "recording";
        stopButton.disabled = false;
        tell("Đang ghi: nói /" + row.dataset.symbol + "/ rồi bấm Dừng. (Recording: say it, then stop.)");
      })
      .catch(function (error) {
        var name = error && error.name ? error.name : "Error";
        release(capture);
        tell(MICROPHONE[name] || "Không ghi âm được (" + name + ").", "error");
      });
  }

  function stop() {
    var capture = state.capture;
    if (!capture || !capture.recorder || capture.recorder.state !== "recording") return;
    stopButton.disabled = true;
    capture.recorder.stop(); // "stop" fires when the last data is in
  }

  function release(capture) {
    capture.done = true;
    window.clearTimeout(capture.timer);
    if (capture.frame) window.cancelAnimationFrame(capture.frame);
    if (capture.stream) capture.stream.getTracks().forEach(function (track) { track.stop(); });
    if (capture.context) capture.context.close();
    meter.value = -60;
    if (state.capture === capture) state.capture = null;
    recordButton.disabled = false;
    stopButton.disabled = true;
    recorder.dataset.state = "idle";
  }

  function finish(capture, row) {
    var blob = new Blob(capture.chunks, { type: capture.recorder.mimeType });
    release(capture);
    var number = ++state.take;
    var item = takeItem(number);
    recorder.dataset.state = "judging";
    tell("Đang kiểm tra lần ghi " + number + "… (Checking the take…)");
    toWav(blob)
      .then(function (file) {
        var form = new FormData();
        form.append("file", file, "take.wav");
        form.append("phoneme", row.dataset.id);
        form.append("accent", accent);
        return api(recorder.dataset.takeUrl, { method: "POST", body: form });
      })
      .then(function (answer) {
        recorder.dataset.state = "idle";
        if (state.row !== row) return;
        if (!answer.ok) {
          showRefused(item, detail(answer.body, "Không kiểm tra được lần ghi. Hãy ghi lại."));
          return;
        }
        showTake(item, answer.body);
      })
      .catch(function () {
        recorder.dataset.state = "idle";
        showRefused(item, "Không đọc được bản ghi trong trình duyệt. Hãy ghi lại. (Could not read the take.)");
      });
  }

  function takeItem(number) {
    var item = document.createElement("li");
    item.className = "take";
    item.dataset.verdict = "pending";
    var label = document.createElement("span");
    label.className = "take-label";
    label.textContent = "Lần " + number + " ";
    var verdict = document.createElement("span");
    verdict.className = "take-verdict";
    verdict.textContent = "…";
    item.append(label, verdict);
    takes.prepend(item);
    return item;
  }

  function showRefused(item, message) {
    item.dataset.verdict = "refused";
    item.querySelector(".take-verdict").textContent = message;
    tell(message, "error");
  }

  function button(action, text) {
    var element = document.createElement("button");
    element.type = "button";
    element.dataset.action = action;
    element.textContent = text;
    return element;
  }

  function showTake(item, take) {
    item.dataset.verdict = take.verdict;
    item.dataset.token = take.token;
    item.querySelector(".take-verdict").textContent =
      take.message_vi + " · " + take.duration.toFixed(2) + " s";
    var replay = button("replay", "▶ Nghe lại");
    replay.addEventListener("click", function () {
      player.src = take.audio_url;
      player.play().catch(function () { tell("Không phát được lần ghi. (Could not play the take.)", "error"); });
    });
    // A failed take is not pinned unless the teacher ticks the box again and confirms.
    pin.checked = take.verdict !== "failed";
    var save = button("save", "Lưu" + (take.verdict === "failed" ? " dù chưa đạt" : "") + " (save)");
    save.addEventListener("click", function () { saveTake(item, take, save); });
    item.append(" ", replay, " ", save);
    tell(take.message_vi, take.verdict);
  }

  function saveTake(item, take, saveButton) {
    var confirmFailed = false;
    if (pin.checked && take.verdict === "failed") {
      confirmFailed = window.confirm(
        "Lần ghi này chưa đạt. Vẫn ghim để mọi học viên nghe bản này? " +
        "(This take failed the check. Pin it for every learner anyway?)");
      if (!confirmFailed) return;
    }
    saveButton.disabled = true;
    var row = state.row;
    tell("Đang lưu… (Saving…)");
    api(take.save_url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ pin: pin.checked, confirm_failed: confirmFailed }),
    }).then(function (answer) {
      if (!answer.ok) {
        saveButton.disabled = answer.status === 404; // gone: expired or already saved
        tell(detail(answer.body, "Không lưu được. (Not saved.)"), "error");
        return;
      }
      item.dataset.saved = "1";
      saveButton.textContent = "Đã lưu ✓";
      var saved = answer.body;
      tell("Đã lưu" + (saved.pinned ? " và ghim" : "") + ": " + saved.audio.provenance.text_vi +
        ". Bảng âm phát bản này từ lần tải sau. (Saved" + (saved.pinned ? " and pinned" : "") + ".)", "saved");
      updateRow(row, saved);
      updateProgress(saved.progress);
    }).catch(function () {
      saveButton.disabled = false;
      tell("Không lưu được: mất kết nối. (Not saved: connection lost.)", "error");
    });
  }

  function updateRow(row, saved) {
    var natives = Number(row.dataset.natives || 0) + 1;
    row.dataset.natives = String(natives);
    row.querySelector(".native").textContent = natives + " bản ghi giọng thật";
    var playing = saved.now_playing;
    if (!playing) return;
    var audio = row.querySelector("audio");
    audio.src = playing.url;
    audio.hidden = false;
    var tier = row.querySelector(".tier");
    tier.dataset.tier = playing.source_type;
    tier.textContent = playing.provenance.text_vi;
    row.querySelector(".check").textContent = "";
  }

  function updateProgress(progress) {
    var box = document.getElementById("progress");
    if (!box || box.dataset.accent !== progress.accent) return;
    box.querySelector(".recorded").textContent = String(progress.recorded);
    box.querySelector("meter").value = progress.recorded;
    var list = box.querySelector(".failing-list");
    list.replaceChildren();
    progress.failing.forEach(function (phoneme) {
      var link = document.createElement("a");
      link.href = "#p-" + phoneme.id;
      link.dataset.id = String(phoneme.id);
      link.textContent = "/" + phoneme.ipa_symbol + "/";
      list.append(link, " ");
    });
    box.querySelector(".failing").hidden = progress.failing.length === 0;
  }

  /* The next phoneme after the chosen one (in chart order, wrapping) with no native
     recording in this accent. */
  function nextMissing() {
    var all = rows();
    var start = state.row ? all.indexOf(state.row) + 1 : 0;
    for (var step = 0; step < all.length; step++) {
      var row = all[(start + step) % all.length];
      if (row.dataset.natives === "0") {
        if (select(row)) row.scrollIntoView({ block: "center" });
        return;
      }
    }
    recorder.hidden = false;
    tell("Cả " + all.length + " âm đã có giọng thật. (Every phoneme has a native recording.)", "saved");
  }

  rows().forEach(function (row) {
    row.querySelector('[data-action="record"]').addEventListener("click", function () { record(row); });
  });
  recordButton.addEventListener("click", function () { if (state.row) record(state.row); });
  stopButton.addEventListener("click", stop);
  document.querySelector('[data-action="next"]').addEventListener("click", nextMissing);
  document.querySelectorAll(".failing-list").forEach(function (list) {
    list.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-id]");
      var row = link && document.getElementById("p-" + link.dataset.id);
      if (row && link.closest("#progress")) {
        event.preventDefault();
        if (select(row)) row.scrollIntoView({ block: "center" });
      }
    });
  });
})();
