// PhatAm offline: registers the service worker (/sw.js), says when the phone is offline and
// what still works, and downloads what the chart and a drill pack need with no network
// ("Tải về để học khi không có mạng"): the chart payload of the chosen accent, its 44 sounds,
// and, for a signed-in learner, a pack of listening items with their audio and the page
// that plays them (/hoc/ngoai-tuyen/).
(() => {
  "use strict";

  const DATA_CACHE = "phatam-data";
  const AUDIO_CACHE = "phatam-audio";
  const PAGE_CACHE = "phatam-pages";
  const PACK_URL = "/hoc/ngoai-tuyen/pack.json";
  const network = document.getElementById("network");
  const button = document.getElementById("download");
  const statusEl = document.getElementById("download-status");

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }

  function showNetwork() {
    if (!network) return;
    network.hidden = navigator.onLine;
    document.documentElement.classList.toggle("offline", !navigator.onLine);
  }
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  showNetwork();

  if (!button) return;
  if (!("caches" in window)) {
    button.disabled = true;
    statusEl.textContent = "Trình duyệt này không lưu được dữ liệu để học ngoại tuyến.";
    return;
  }

  const say = (text) => {
    statusEl.textContent = text;
  };

  async function keep(cache, url) {
    if (await cache.match(url, { ignoreVary: true })) return true;
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return false;
    await cache.put(url, response);
    return true;
  }

  async function downloadChart(accent) {
    const url = `/api/phonemes/?accent=${encodeURIComponent(accent)}`;
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    await (await caches.open(DATA_CACHE)).put(url, response.clone());
    const phonemes = await response.json();
    const urls = [...new Set(phonemes.filter((p) => p.audio).map((p) => p.audio.url))];
    const audio = await caches.open(AUDIO_CACHE);
    let kept = 0;
    for (const audioUrl of urls) {
      if (await keep(audio, audioUrl)) kept += 1;
      say(`Đang tải âm thanh: ${kept}/${urls.length}…`);
    }
    return { sounds: kept, phonemes: phonemes.length };
  }

  async function downloadPack(accent) {
    const response = await fetch(`/api/drills/pack/?accent=${encodeURIComponent(accent)}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) return 0; // not signed in: the chart only
    const pack = await response.json();
    const audio = await caches.open(AUDIO_CACHE);
    for (const item of pack.items) await keep(audio, item.audio_url);
    const pages = await caches.open(PAGE_CACHE);
    await pages.put(
      PACK_URL,
      new Response(JSON.stringify(pack), { headers: { "Content-Type": "application/json" } }),
    );
    await keep(pages, "/hoc/ngoai-tuyen/");
    return pack.items.length;
  }

  button.addEventListener("click", async () => {
    const checked = document.querySelector('input[name="accent"]:checked');
    const accent = checked ? checked.value : "en-US";
    button.disabled = true;
    say("Đang tải…");
    try {
      const chart = await downloadChart(accent);
      const items = await downloadPack(accent);
      say(
        `Đã tải xong: bảng âm và ${chart.sounds} âm thanh (${accent})` +
          (items ? `, ${items} bài luyện nghe ngoại tuyến.` : ". Đăng nhập để tải thêm bài luyện nghe."),
      );
      statusEl.dataset.done = "1";
    } catch (error) {
      say("Không tải được (không có mạng?). Hãy thử lại khi có mạng.");
    } finally {
      button.disabled = false;
    }
  });
})();
