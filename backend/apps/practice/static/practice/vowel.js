/* Your vowel on the chart: record two seconds with the microphone (MediaRecorder), turn the
   recording into a WAV file in the page (Web Audio), send it, and draw where it fell on the
   F1/F2 chart next to the target and the reference vowels, with the learner's history. */
(function () {
  "use strict";

  var root = document.getElementById("recorder");
  if (!root) return;

  var RECORD_MS = 2000;
  var LONG = ["iː", "uː", "ɑː", "ɔː", "ɜː"]; // said long; the others short, as in a word
  var SVG = "http://www.w3.org/2000/svg";
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var select = document.getElementById("vowel-phoneme");
  var recordButton = document.getElementById("record");
  var status = document.getElementById("recorder-status");
  var chart = document.getElementById("vowel-chart");
  var result = document.getElementById("vowel-result");
  var history = document.getElementById("vowel-history");
  var historyEmpty = document.getElementById("vowel-history-empty");
  var player = new Audio();
  var current = { chart: null, points: [], latest: null };

  var MESSAGES = {
    NotAllowedError: "Bạn đã từ chối quyền dùng micro, nên PhatAm không ghi âm được. Để thử lại: " +
      "bấm biểu tượng ổ khoá cạnh địa chỉ trang, chọn “Cho phép” micro, rồi tải lại trang.",
    SecurityError: "Trình duyệt chặn micro trên trang này. Hãy mở trang qua HTTPS rồi thử lại.",
    NotFoundError: "Không tìm thấy micro nào trên máy. Hãy cắm micro hoặc tai nghe có micro rồi bấm Ghi âm lại.",
    NotReadableError: "Micro đang bị ứng dụng khác dùng hoặc bị lỗi. Hãy đóng ứng dụng đó rồi thử lại.",
    Unsupported: "Trình duyệt này không cho ghi âm ở đây (cần HTTPS và một trình duyệt mới như Chrome, " +
      "Firefox, Safari). Bạn vẫn có thể luyện nghe mà không cần micro.",
  };
  MESSAGES.OverconstrainedError = MESSAGES.NotFoundError;
  MESSAGES.PermissionDeniedError = MESSAGES.NotAllowedError;

  function setState(state, error) {
    root.dataset.state = state;
    if (error) root.dataset.error = error; else delete root.dataset.error;
  }

  function tell(message) {
    status.textContent = message;
  }

  function accent() {
    var checked = root.querySelector('input[name="vowel-accent"]:checked');
    return checked ? checked.value : "";
  }

  function phonemeId() {
    return select.value;
  }

  function symbol() {
    return select.options[select.selectedIndex].dataset.ipa;
  }

  function api(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    if (options.method && options.method !== "GET") options.headers["X-CSRFToken"] = csrf;
    return fetch(url, options).then(function (response) {
      if (response.status === 204) return { ok: true, status: 204, body: {} };
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  /* The chart: Bark scales (as the classifier measures distance), F2 falling to the right and
     F1 growing downwards, the way phoneticians draw the vowel space. */
  var BOX = { left: 56, right: 500, top: 20, bottom: 350 };
  var F2 = [3000, 600];
  var F1 = [200, 1100];

  function bark(hz) { return 26.81 * hz / (1960 + hz) - 0.53; }
  function scale(hz, range, from, to) {
    var lo = bark(range[0]), hi = bark(range[1]);
    var t = (bark(hz) - lo) / (hi - lo);
    return from + Math.max(0, Math.min(1, t)) * (to - from);
  }
  function x(f2) { return scale(f2, F2, BOX.left, BOX.right); }
  function y(f1) { return scale(f1, F1, BOX.top, BOX.bottom); }
  function pxPerBarkX() { return (BOX.right - BOX.left) / Math.abs(bark(F2[0]) - bark(F2[1])); }
  function pxPerBarkY() { return (BOX.bottom - BOX.top) / Math.abs(bark(F1[1]) - bark(F1[0])); }

  function node(tag, attrs, text) {
    var element = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (name) { element.setAttribute(name, attrs[name]); });
    if (text !== undefined) element.textContent = text;
    chart.appendChild(element);
    return element;
  }

  function draw() {
    Array.prototype.slice.call(chart.querySelectorAll(".drawn")).forEach(function (element) {
      chart.removeChild(element);
    });
    var data = current.chart;
    if (!data) return;
    node("line", { class: "axis drawn", x1: BOX.left, y1: BOX.bottom, x2: BOX.right, y2: BOX.bottom });
    node("line", { class: "axis drawn", x1: BOX.left, y1: BOX.top, x2: BOX.left, y2: BOX.bottom });
    node("text", { class: "axis-title drawn", x: (BOX.left + BOX.right) / 2, y: BOX.bottom + 36,
      "text-anchor": "middle" }, "← lưỡi trước · lưỡi sau →");
    node("text", { class: "axis-title drawn", x: 14, y: (BOX.top + BOX.bottom) / 2,
      "text-anchor": "middle", transform: "rotate(-90 14 " + (BOX.top + BOX.bottom) / 2 + ")" },
      "↑ lưỡi cao · lưỡi thấp, miệng mở ↓");
    data.targets.forEach(function (target) {
      node("ellipse", { class: "target-region drawn", cx: x(target.f2), cy: y(target.f1),
        rx: pxPerBarkX(), ry: pxPerBarkY() });
    });
    data.vowels.forEach(function (vowel) {
      node("circle", { class: "ref-dot drawn", cx: x(vowel.f2), cy: y(vowel.f1), r: 3 });
      node("text", { class: "ref-label drawn", x: x(vowel.f2) + 6, y: y(vowel.f1) - 5, lang: "en-fonipa" },
        vowel.symbol);
    });
    var first = data.targets[0];
    node("text", { class: "target-label drawn", x: x(first.f2), y: y(first.f1) + pxPerBarkY() + 16,
      "text-anchor": "middle" }, "Mục tiêu /" + data.ipa_symbol + "/");
    current.points.forEach(function (point, index) {
      if (current.latest && point.id === current.latest.id) return;
      node("circle", { class: "history-point drawn", cx: x(point.f2), cy: y(point.f1), r: 5,
        "data-id": point.id });
      node("text", { class: "history-label drawn", x: x(point.f2) + 7, y: y(point.f1) + 12 },
        String(index + 1));
    });
    if (current.latest) {
      var cx = x(current.latest.f2), cy = y(current.latest.f1), r = 9;
      node("path", { class: "learner-point drawn", d: "M" + cx + " " + (cy - r) + " L" + (cx + r) + " " + cy +
        " L" + cx + " " + (cy + r) + " L" + (cx - r) + " " + cy + " Z",
        "data-f1": current.latest.f1, "data-f2": current.latest.f2 });
      node("text", { class: "learner-label drawn", x: cx + 12, y: cy + 5 }, "Bạn");
    }
    var desc = document.getElementById("vowel-chart-desc");
    desc.textContent = "Trục ngang: lưỡi trước hay sau; trục dọc: lưỡi cao hay thấp. Vùng nét đứt: " +
      "mục tiêu /" + data.ipa_symbol + "/." + (current.latest ? " Lần ghi mới nhất của bạn: " +
      verdictText(current.latest) + "." : "");
  }

  function loadChart() {
    var url = new URL(root.dataset.chartUrl, window.location.href);
    url.searchParams.set("phoneme", phonemeId());
    if (accent()) url.searchParams.set("accent", accent());
    return api(url.toString()).then(function (answer) {
      if (!answer.ok) return;
      current.chart = answer.body;
      draw();
    });
  }

  var VERDICTS = { ok: "Đúng", close: "Gần đúng", heard_as: "Nghe như âm khác" };

  function verdictText(point) {
    if (point.verdict === "heard_as") return "Nghe như /" + point.heard_as + "/";
    return VERDICTS[point.verdict] || point.verdict;
  }

  function loadHistory() {
    var url = new URL(root.dataset.feedbackUrl, window.location.href);
    url.searchParams.set("phoneme", phonemeId());
    return api(url.toString()).then(function (answer) {
      if (!answer.ok) return;
      current.points = answer.body;
      if (current.latest && !current.points.some(function (p) { return p.id === current.latest.id; })) {
        current.latest = null;
      }
      renderHistory();
      draw();
    });
  }

  function renderHistory() {
    while (history.firstChild) history.removeChild(history.firstChild);
    historyEmpty.hidden = current.points.length > 0;
    current.points.forEach(function (point) {
      var item = document.createElement("li");
      var when = new Date(point.created_at);
      item.appendChild(document.createTextNode(when.toLocaleString("vi-VN") + " – " + verdictText(point) + " "));
      if (point.audio_url) {
        var play = document.createElement("button");
        play.type = "button";
        play.textContent = "Nghe lại";
        play.addEventListener("click", function () { playRecording(point.audio_url); });
        item.appendChild(play);
      }
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Xoá";
      remove.setAttribute("aria-label", "Xoá lần ghi lúc " + when.toLocaleString("vi-VN"));
      remove.addEventListener("click", function () {
        api(root.dataset.feedbackUrl + point.id + "/", { method: "DELETE" }).then(function (answer) {
          if (answer.ok) {
            tell("Đã xoá bản ghi.");
            loadHistory();
          }
        });
      });
      item.appendChild(remove);
      history.appendChild(item);
    });
  }

  function playRecording(url) {
    window.PhatAmRecording.playFetched(player, url)
      .catch(function () { tell("Không phát được bản ghi (có thể đã hết hạn)."); });
  }

  function showResult(data) {
    result.hidden = false;
    var verdict = document.getElementById("vowel-verdict");
    verdict.dataset.verdict = data.verdict;
    if (data.verdict === "ok") {
      verdict.textContent = "✓ Đúng: nguyên âm của bạn gần /" + data.ipa_symbol + "/ nhất.";
    } else if (data.verdict === "close") {
      verdict.textContent = "≈ Gần đúng: gần /" + data.nearest.symbol + "/ hơn một chút, nhưng đã ở sát vùng /" +
        data.ipa_symbol + "/.";
    } else {
      verdict.textContent = "✗ Nghe như /" + data.heard_as + "/, chưa phải /" + data.ipa_symbol + "/.";
    }
    document.getElementById("vowel-numbers").textContent = "Bạn: F1 " + Math.round(data.f1) + " Hz, F2 " +
      Math.round(data.f2) + " Hz. Mục tiêu: F1 " + data.target.f1 + " Hz, F2 " + data.target.f2 +
      " Hz (cách " + data.distance_bark + " Bark; mẫu: " + data.reference + ").";
    var advice = document.getElementById("vowel-advice");
    while (advice.firstChild) advice.removeChild(advice.firstChild);
    data.advice_vi.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      advice.appendChild(item);
    });
    document.getElementById("vowel-tip").textContent = data.tip_vi ? "Mẹo: " + data.tip_vi : "";
  }

  var toWav = window.PhatAmRecording.toWav; // curriculum/recording.js

  function fail(name, message) {
    setState("error", name);
    tell(message || MESSAGES[name] || "Không ghi âm được (" + name + "). Hãy thử lại.");
    recordButton.disabled = false;
  }

  function record() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      fail("Unsupported");
      return;
    }
    recordButton.disabled = true;
    setState("asking");
    tell("Đang xin quyền dùng micro…");
    window.PhatAmRecording.capture(RECORD_MS, function () {
      setState("recording");
      tell(LONG.indexOf(symbol()) >= 0
        ? "Đang ghi âm: hãy nói /" + symbol() + "/ và kéo dài âm…"
        : "Đang ghi âm: hãy nói /" + symbol() + "/ ngắn và gọn…");
    }).then(send, function (error) { fail(error && error.name ? error.name : "Error"); });
  }

  function send(blob) {
    setState("sending");
    tell("Đang đo nguyên âm của bạn…");
    toWav(blob)
      .then(function (file) {
        var form = new FormData();
        form.append("file", file, "recording.wav");
        form.append("phoneme", phonemeId());
        form.append("accent", accent());
        return api(root.dataset.feedbackUrl, { method: "POST", body: form });
      })
      .then(function (answer) {
        recordButton.disabled = false;
        if (!answer.ok) {
          var detail = answer.body.detail || (answer.body.file && answer.body.file[0]) ||
            (answer.body.phoneme && answer.body.phoneme[0]) || "Không đo được bản ghi. Hãy thử lại.";
          fail("Server" + answer.status, detail);
          return;
        }
        setState("done");
        current.latest = answer.body;
        if (current.chart && answer.body.voice !== current.chart.voice) {
          // No voice chosen yet: the server went by the pitch; show that voice's chart.
          current.chart.voice = answer.body.voice;
          current.chart.vowels = answer.body.vowels;
          current.chart.targets = [answer.body.target];
          var radio = root.querySelector('input[name="vowel-voice"][value="' + answer.body.voice + '"]');
          if (radio) radio.checked = true;
        }
        showResult(answer.body);
        draw(); // the point now, not when the history has reloaded
        tell("Xong: điểm “Bạn” trên biểu đồ là nguyên âm vừa ghi.");
        return loadHistory();
      })
      .catch(function () { fail("Decode", "Không đọc được bản ghi trong trình duyệt. Hãy thử lại."); });
  }

  recordButton.addEventListener("click", record);
  select.addEventListener("change", function () {
    current.latest = null;
    result.hidden = true;
    loadChart();
    loadHistory();
  });
  root.querySelectorAll('input[name="vowel-accent"]').forEach(function (input) {
    input.addEventListener("change", loadChart);
  });
  root.querySelectorAll('input[name="vowel-voice"]').forEach(function (input) {
    input.addEventListener("change", function () {
      api(root.dataset.profileUrl, {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ voice: input.value }),
      }).then(function (answer) {
        if (answer.ok) {
          tell(answer.body.voice === "female" ? "Mục tiêu theo giọng nữ." : "Mục tiêu theo giọng nam.");
          loadChart();
        }
      });
    });
  });

  loadChart();
  loadHistory();
})();
