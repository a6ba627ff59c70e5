/* Say the word: once a drill item is answered, the learner may record the word they heard.
   The page asks what the word would be checked for (/api/feedback/word/task/), records two
   seconds (MediaRecorder, turned into a WAV by curriculum/recording.js), sends it, and shows
   the verdict, a hint, and the take's waveform with the measured part marked. */
(function () {
  "use strict";

  var root = document.getElementById("say-word");
  var drill = document.getElementById("drill");
  if (!root || !drill) return;

  var RECORD_MS = 2000;
  var SVG = "http://www.w3.org/2000/svg";
  var WIDTH = 600, HEIGHT = 120;
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var recordButton = document.getElementById("say-word-record");
  var modelButton = document.getElementById("say-word-model");
  var mineButton = document.getElementById("say-word-mine");
  var status = document.getElementById("say-word-status");
  var result = document.getElementById("say-word-result");
  var wave = document.getElementById("say-word-wave");
  var player = new Audio();
  var current = { item: null, modelUrl: "", takeUrl: "" };

  var VERDICTS = { ok: "✓ Tốt", not_ok: "✗ Chưa đúng", cannot_judge: "? Chưa chấm được" };
  var MARKS = {
    vowel: "nguyên âm",
    release: "âm cuối",
    hiss: "tiếng xì",
    consonant: "phụ âm được kiểm tra",
  };
  var LABELS = {
    release_s: "độ dài phần bật hơi (giây)", releases: "số lần bật hơi", murmur_s: "độ dài âm mũi (giây)",
    hiss_s: "độ dài tiếng xì (giây)", voiced: "tỉ lệ có rung", syllables: "số âm tiết",
    expected: "cần có", noise_s: "độ dài tiếng gió (giây)", noise_db: "độ to tiếng gió (dB)",
    centroid_hz: "trọng tâm phổ (Hz)", burst: "có tiếng bật", vowel_s: "độ dài nguyên âm (giây)",
    word_s: "độ dài cả từ (giây)", share: "phần của nguyên âm trong từ",
    model_share: "phần đó ở giọng mẫu", ratio: "so với giọng mẫu", stressed: "âm tiết được nhấn",
    score: "điểm nhấn", level_db: "độ to từng âm tiết (dB)", length_s: "độ dài từng âm tiết (giây)",
    pitch_hz: "cao độ từng âm tiết (Hz)",
  };
  var MESSAGES = {
    NotAllowedError: "Bạn đã từ chối quyền dùng micro. Bấm biểu tượng ổ khoá cạnh địa chỉ trang, " +
      "cho phép micro rồi tải lại trang.",
    NotFoundError: "Không tìm thấy micro nào trên máy.",
    NotReadableError: "Micro đang bị ứng dụng khác dùng hoặc bị lỗi.",
    Unsupported: "Trình duyệt này không cho ghi âm ở đây (cần HTTPS và một trình duyệt mới).",
  };

  function tell(message) { status.textContent = message; }
  function setState(state) { root.dataset.state = state; }

  function accent() {
    var checked = document.querySelector('input[name="drill-accent"]:checked');
    return checked ? checked.value : "";
  }

  function api(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ Accept: "application/json", "X-CSRFToken": csrf },
      options.headers || {});
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  function svg(tag, attrs, text) {
    var element = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (name) { element.setAttribute(name, attrs[name]); });
    if (text) element.textContent = text;
    wave.appendChild(element);
    return element;
  }

  function hide() {
    root.hidden = true;
    result.hidden = true;
    mineButton.hidden = true;
    current.item = null;
    setState("idle");
  }

  function offer(itemId, word) {
    var url = new URL(root.dataset.taskUrl, window.location.href);
    url.searchParams.set("item", itemId);
    if (accent()) url.searchParams.set("accent", accent());
    api(url.toString()).then(function (answer) {
      if (!answer.ok || !answer.body.check) { hide(); return; }
      current.item = itemId;
      current.modelUrl = answer.body.model_audio_url;
      root.dataset.check = answer.body.check;
      document.getElementById("say-word-word").textContent = word || "";
      document.getElementById("say-word-focus").textContent =
        "Đọc từ bạn vừa nghe rồi so với giọng mẫu. PhatAm nghe: " + answer.body.focus_vi + ".";
      result.hidden = true;
      mineButton.hidden = true;
      tell("");
      root.hidden = false;
      setState("ready");
    });
  }

  function playUrl(url) {
    window.PhatAmRecording.playFetched(player, url)
      .catch(function () { tell("Không phát được âm thanh."); });
  }

  function record() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      tell(MESSAGES.Unsupported);
      return;
    }
    recordButton.disabled = true;
    setState("recording");
    window.PhatAmRecording.capture(RECORD_MS, function () {
      tell("Đang ghi âm: hãy đọc từ một lần, rõ ràng…");
    }).then(send, function (error) {
      recordButton.disabled = false;
      setState("error");
      tell(MESSAGES[error && error.name] || "Không ghi âm được. Hãy thử lại.");
    });
  }

  function samplesOf(file) {
    var Context = window.AudioContext || window.webkitAudioContext;
    var context = new Context();
    return file.arrayBuffer()
      .then(function (bytes) { return context.decodeAudioData(bytes); })
      .then(function (decoded) {
        context.close();
        return { data: decoded.getChannelData(0), rate: decoded.sampleRate };
      });
  }

  function send(blob) {
    setState("sending");
    tell("Đang nghe bản ghi của bạn…");
    var wavFile;
    window.PhatAmRecording.toWav(blob)
      .then(function (file) {
        wavFile = file;
        var form = new FormData();
        form.append("file", file, "word.wav");
        form.append("item", current.item);
        form.append("accent", accent());
        return api(root.dataset.feedbackUrl, { method: "POST", body: form });
      })
      .then(function (answer) {
        recordButton.disabled = false;
        if (!answer.ok) {
          setState("error");
          var body = answer.body;
          tell(body.detail || (body.file && body.file[0]) || (body.pair && body.pair[0]) ||
            "Không gửi được bản ghi. Hãy thử lại.");
          return;
        }
        current.takeUrl = answer.body.audio_url;
        mineButton.hidden = false;
        return samplesOf(wavFile).then(function (take) { show(answer.body, take); });
      })
      .catch(function () {
        recordButton.disabled = false;
        setState("error");
        tell("Không đọc được bản ghi trong trình duyệt. Hãy thử lại.");
      });
  }

  function drawWave(take, marks) {
    while (wave.lastChild && wave.lastChild.tagName !== "title") wave.removeChild(wave.lastChild);
    var seconds = take.data.length / take.rate;
    var columns = 150, step = Math.max(1, Math.floor(take.data.length / columns)), peak = 1e-9;
    var levels = [];
    for (var c = 0; c < columns; c++) {
      var top = 0;
      for (var i = c * step; i < Math.min(take.data.length, (c + 1) * step); i++) {
        top = Math.max(top, Math.abs(take.data[i]));
      }
      levels.push(top);
      peak = Math.max(peak, top);
    }
    function at(time) { return Math.max(0, Math.min(WIDTH, time / seconds * WIDTH)); }
    var spans = [];
    Object.keys(marks || {}).forEach(function (name) {
      var value = marks[name];
      if (name === "syllables") {
        value.forEach(function (span, index) { spans.push({ name: "âm tiết " + (index + 1), span: span }); });
      } else if (MARKS[name]) {
        spans.push({ name: MARKS[name], span: value });
      }
    });
    spans.forEach(function (mark, index) {
      var x1 = at(mark.span[0]), x2 = at(mark.span[1] + 0.02);
      svg("rect", { class: "mark mark-" + index, x: x1, y: 0, width: Math.max(3, x2 - x1), height: HEIGHT - 18 });
      svg("text", { class: "mark-label", x: x1 + 2, y: HEIGHT - 4 }, mark.name);
    });
    var middle = (HEIGHT - 18) / 2, width = WIDTH / columns;
    levels.forEach(function (level, c) {
      var h = Math.max(1, level / peak * (middle - 4));
      svg("rect", { class: "bar", x: c * width, y: middle - h, width: Math.max(1, width - 1), height: 2 * h });
    });
    var names = spans.map(function (mark) { return mark.name; });
    document.getElementById("say-word-caption").textContent = names.length
      ? "Sóng âm bạn vừa đọc; phần tô màu: " + names.join(", ") + "."
      : "Sóng âm bạn vừa đọc.";
  }

  function show(data, take) {
    setState("done");
    result.hidden = false;
    document.getElementById("say-word-word").textContent = data.word;
    var verdict = document.getElementById("say-word-verdict");
    verdict.dataset.verdict = data.verdict;
    verdict.textContent = VERDICTS[data.verdict] || data.verdict;
    document.getElementById("say-word-hint").textContent = data.hint_vi;
    drawWave(take, data.marks);
    var numbers = document.getElementById("say-word-numbers");
    while (numbers.firstChild) numbers.removeChild(numbers.firstChild);
    Object.keys(data.measurement).forEach(function (name) {
      if (!LABELS[name]) return; // marks, reason: shown elsewhere
      var item = document.createElement("li");
      var value = data.measurement[name];
      if (typeof value === "boolean") value = value ? "có" : "không";
      item.textContent = LABELS[name] + ": " + (Array.isArray(value) ? value.join(" / ") : value);
      numbers.appendChild(item);
    });
    tell("Xong. Bấm “Nghe bạn đọc” và “Nghe giọng mẫu” để so sánh.");
  }

  recordButton.addEventListener("click", record);
  modelButton.addEventListener("click", function () { if (current.modelUrl) playUrl(current.modelUrl); });
  mineButton.addEventListener("click", function () { if (current.takeUrl) playUrl(current.takeUrl); });
  document.addEventListener("drill:answered", function (event) {
    var answer = event.detail && event.detail.answer;
    offer(drill.dataset.itemId, answer ? answer.word : "");
  });
  new MutationObserver(function () {
    if (drill.dataset.state === "loading") hide();
  }).observe(drill, { attributes: true, attributeFilter: ["data-state"] });
})();
