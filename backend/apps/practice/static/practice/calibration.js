/* Your own vowel space: record /iː ɑː uː/ once (two seconds each, turned into a WAV by
   curriculum/recording.js) and send them to /api/feedback/vowel/calibration/. */
(function () {
  "use strict";

  var root = document.getElementById("calibration");
  if (!root) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var status = document.getElementById("calibration-status");
  var RECORD_MS = 2000;

  function api(options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = { Accept: "application/json", "X-CSRFToken": csrf };
    return fetch(root.dataset.url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, body: body };
      });
    });
  }

  function show(state) {
    if (!state || !state.vowels) return;
    Object.keys(state.vowels).forEach(function (vowel) {
      var mark = root.querySelector('.done[data-for="' + vowel + '"]');
      if (mark) mark.textContent = state.vowels[vowel] ? "✓" : "";
    });
    status.textContent = state.complete
      ? "Đã xong: nguyên âm của bạn được so với chính giọng của bạn."
      : "Chưa đủ ba nguyên âm: PhatAm vẫn so với giọng mẫu.";
  }

  function record(vowel, button) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      status.textContent = "Trình duyệt này không cho ghi âm ở đây.";
      return;
    }
    button.disabled = true;
    window.PhatAmRecording.capture(RECORD_MS, function () {
      status.textContent = "Đang ghi: hãy nói /" + vowel + "/ và kéo dài…";
    }).then(function (take) {
      status.textContent = "Đang đo…";
      window.PhatAmRecording.toWav(take)
        .then(function (file) {
          var form = new FormData();
          form.append("file", file, "calibration.wav");
          form.append("vowel", vowel);
          return api({ method: "POST", body: form });
        })
        .then(function (answer) {
          button.disabled = false;
          if (!answer.ok) {
            status.textContent = answer.body.detail || "Không đo được. Hãy thử lại.";
            return;
          }
          show(answer.body);
        })
        .catch(function () {
          button.disabled = false;
          status.textContent = "Không đọc được bản ghi. Hãy thử lại.";
        });
    }, function () {
      button.disabled = false;
      status.textContent = "Không dùng được micro.";
    });
  }

  root.querySelectorAll("button[data-vowel]").forEach(function (button) {
    button.addEventListener("click", function () { record(button.dataset.vowel, button); });
  });
  document.getElementById("calibration-clear").addEventListener("click", function () {
    api({ method: "DELETE" }).then(function () { show({ vowels: { "iː": null, "ɑː": null, "uː": null }, complete: false }); });
  });
  api().then(function (answer) { if (answer.ok) show(answer.body); });
})();
