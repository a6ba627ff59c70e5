/* A lesson page: play each phoneme and its example words, follow the lesson's status as its
   drills are answered, and mark it completed. */
(function () {
  "use strict";

  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var audio = new Audio();
  var status = document.getElementById("lesson-status");
  var STATUS = { not_started: "Chưa bắt đầu", in_progress: "Đang học", completed: "✓ Đã hoàn thành" };

  function accent() {
    var checked = document.querySelector('input[name="drill-accent"]:checked');
    return checked ? checked.value : "";
  }

  // Each transcription carries every accent's form (data-ipa-en-us, data-ipa-en-gb): show the
  // one of the accent the learner listens to.
  function showAccentForms() {
    var code = accent().toLowerCase();
    if (!code) return;
    var key = "ipa" + code.split("-").map(function (part) {
      return part.charAt(0).toUpperCase() + part.slice(1);
    }).join("");
    document.querySelectorAll(".accent-form").forEach(function (element) {
      var form = element.dataset[key];
      if (form) element.textContent = "/" + form + "/";
    });
  }

  document.querySelectorAll('input[name="drill-accent"]').forEach(function (input) {
    input.addEventListener("change", showAccentForms);
  });
  showAccentForms();

  function showStatus(progress) {
    if (!status || !progress) return;
    status.dataset.status = progress.status;
    status.textContent = "Trạng thái: " + (STATUS[progress.status] || progress.status) +
      (progress.status === "completed" ? " (điểm " + progress.score + "/100)" : "");
  }

  function speak(webSpeech) {
    if (!webSpeech || !window.speechSynthesis) return;
    var utterance = new SpeechSynthesisUtterance(webSpeech.text);
    utterance.lang = webSpeech.lang;
    window.speechSynthesis.speak(utterance);
  }

  document.querySelectorAll(".listen-button").forEach(function (button) {
    button.addEventListener("click", function () {
      var url = new URL(button.dataset.audioUrl, window.location.href);
      if (accent()) url.searchParams.set("accent", accent());
      if (button.dataset.word) url.searchParams.set("word", button.dataset.word);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (answer.audio && answer.audio.url) {
            audio.src = answer.audio.url;
            return audio.play().catch(function () { speak(answer.web_speech); });
          }
          speak(answer.web_speech);
        })
        .catch(function () { /* nothing to play: the button stays as it was */ });
    });
  });

  document.addEventListener("drill:answered", function (event) {
    var lesson = event.detail.lesson;
    if (lesson) showStatus(lesson);
  });

  var form = document.getElementById("lesson-complete");
  if (form) {
    var said = document.getElementById("lesson-complete-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: "{}",
      })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (response.status === 409) {
              said.textContent = "Chưa hoàn thành. " + (body.detail || "");
              return;
            }
            if (!response.ok) throw new Error();
            showStatus(body);
            said.textContent = "Bài học đã hoàn thành.";
          });
        })
        .catch(function () { said.textContent = "Không kiểm tra được. Hãy thử lại."; });
    });
  }
})();
