/* What every page that records in the browser shares (the learner's vowel recorder, the
   teacher's studio): turn what MediaRecorder gives (WebM/Opus in Chromium) into a 16-bit mono
   PCM WAV, a format the server decodes, checks and measures. */
(function () {
  "use strict";

  function wav(samples, rate) {
    var view = new DataView(new ArrayBuffer(44 + samples.length * 2));
    function text(offset, value) {
      for (var i = 0; i < value.length; i++) view.setUint8(offset + i, value.charCodeAt(i));
    }
    text(0, "RIFF");
    view.setUint32(4, 36 + samples.length * 2, true);
    text(8, "WAVE");
    text(12, "fmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true); // PCM
    view.setUint16(22, 1, true); // mono
    view.setUint32(24, rate, true);
    view.setUint32(28, rate * 2, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    text(36, "data");
    view.setUint32(40, samples.length * 2, true);
    for (var i = 0; i < samples.length; i++) {
      var s = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([view], { type: "audio/wav" });
  }

  /* A recorded Blob, decoded by the browser and mixed down to mono, as a WAV Blob. */
  function toWav(blob) {
    var Context = window.AudioContext || window.webkitAudioContext;
    var context = new Context();
    return blob.arrayBuffer()
      .then(function (bytes) { return context.decodeAudioData(bytes); })
      .then(function (decoded) {
        context.close();
        var mono = new Float32Array(decoded.length);
        for (var c = 0; c < decoded.numberOfChannels; c++) {
          var channel = decoded.getChannelData(c);
          for (var i = 0; i < mono.length; i++) mono[i] += channel[i] / decoded.numberOfChannels;
        }
        return wav(mono, decoded.sampleRate);
      });
  }

  // Record `ms` of the microphone; `started()` is called once the take runs. Resolves with
  // the take (a Blob); rejects with getUserMedia's error, whose `name` says why.
  function capture(ms, started) {
    return navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      return new Promise(function (resolve) {
        var chunks = [];
        var recorder = new MediaRecorder(stream);
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) chunks.push(event.data);
        });
        recorder.addEventListener("stop", function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          resolve(new Blob(chunks, { type: recorder.mimeType }));
        });
        if (started) started();
        recorder.start();
        window.setTimeout(function () { recorder.stop(); }, ms);
      });
    });
  }

  // Fetch `url` (a private recording: the session's cookie goes with it) and play it in the
  // `player` element. Rejects when it cannot be fetched or played.
  function playFetched(player, url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.blob();
      })
      .then(function (blob) {
        player.src = URL.createObjectURL(blob);
        return player.play();
      });
  }

  window.PhatAmRecording = { toWav: toWav, capture: capture, playFetched: playFetched };
})();
