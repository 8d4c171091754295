// keikaku serve: drag and drop uploads, queued one after another, and the
// progress of the round's job. The page works without this script too
// (plain forms).
"use strict";

(function () {
  const form = document.getElementById("upload");
  const job = document.getElementById("job");
  const round = job ? job.dataset.round : null;

  function csrf() {
    const input = form ? form.querySelector("input[name=csrf]") : null;
    return input ? input.value : "";
  }

  // Uploads wait in a queue: a second drop while one is sent is kept.
  const queue = [];
  let sending = false;
  const status = document.getElementById("upload-status");

  function say(text) {
    if (status) status.textContent = text;
  }

  async function sendNext() {
    if (sending || queue.length === 0) return;
    sending = true;
    const files = queue.shift();
    const data = new FormData();
    for (const f of files) data.append("file", f, f.name);
    say(files.length + " 個のファイルを送っています…" + (queue.length ? "（あと " + queue.length + " 回分待っています）" : ""));
    try {
      const r = await fetch(form.action + "?wait=0", {
        method: "POST",
        body: data,
        headers: { "X-CSRF-Token": csrf(), "Accept": "application/json" },
        credentials: "same-origin",
      });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) {
        say("送れませんでした: " + (body.error || r.status));
      } else {
        say(files.length + " 個のファイルを受け付けました。確認と集計をしています…");
        poll();
      }
    } catch (e) {
      say("送れませんでした（サーバーにつながりません）。keikaku serve が動いているか確かめてください。");
    }
    sending = false;
    sendNext();
  }

  function enqueue(files) {
    if (!files || files.length === 0) return;
    queue.push(Array.from(files));
    sendNext();
  }

  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      const input = document.getElementById("files");
      enqueue(input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (t) {
      form.addEventListener(t, function (e) { e.preventDefault(); form.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      form.addEventListener(t, function (e) { e.preventDefault(); form.classList.remove("over"); });
    });
    form.addEventListener("drop", function (e) { enqueue(e.dataTransfer.files); });
  }

  // The 提出状況 part of the page, fetched again whenever something may
  // have changed (a job ended here, a centre sent a workbook through its
  // link): the page stays current without a reload, and what the clerk
  // was told about her own uploads stays on screen.
  let lastStatus = null;
  async function refreshStatus() {
    const current = document.getElementById("status");
    if (!current) return;
    try {
      const r = await fetch("/rounds/" + current.dataset.round + "/status", { credentials: "same-origin" });
      if (!r.ok) return;
      const html = await r.text();
      if (html === lastStatus) return;
      lastStatus = html;
      const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("status");
      if (fresh) current.replaceWith(fresh);
    } catch (e) {
      // The server is away for a moment; the next round of polling tries again.
    }
  }

  // The job's progress, until it ends; then the page shows the result.
  let polling = false;
  async function poll() {
    if (!round || polling) return;
    polling = true;
    job.classList.remove("hidden");
    for (;;) {
      let r;
      try {
        r = await fetch("/api/rounds/" + round, { credentials: "same-origin", headers: { "Accept": "application/json" } });
      } catch (e) {
        await new Promise(function (ok) { setTimeout(ok, 1500); });
        continue;
      }
      if (!r.ok) break;
      const data = await r.json();
      const j = data.job;
      if (j) {
        document.getElementById("job-label").textContent = j.label;
        const bar = document.getElementById("job-bar");
        if (j.total) { bar.max = j.total; bar.value = j.done || 0; }
        document.getElementById("job-text").textContent =
          j.state === "queued" ? "順番を待っています" :
          j.state === "running" ? (j.total ? (j.done || 0) + " / " + j.total : "処理しています") : "終わりました";
      }
      if (!j || j.state === "done" || j.state === "failed") {
        if (j && j.kind === "distribute") { window.location.reload(); return; }
        if (!sending && queue.length === 0) {
          job.classList.add("hidden");
          await refreshStatus();
          if (j && j.state === "failed") say("集計に失敗しました: " + (j.message || ""));
          break;
        }
      }
      await new Promise(function (ok) { setTimeout(ok, 600); });
    }
    polling = false;
  }

  // Centres send through their links at any time: look every 5 seconds.
  if (document.getElementById("status")) {
    setInterval(function () { if (!polling) refreshStatus(); }, 5000);
  }

  if (job && job.dataset.active === "1") poll();

  // The other upload forms (議案, a round's master) take one dropped file
  // and send it as their own form does.
  document.querySelectorAll("form.upload.drop-one").forEach(function (f) {
    const input = f.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (t) {
      f.addEventListener(t, function (e) { e.preventDefault(); f.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      f.addEventListener(t, function (e) { e.preventDefault(); f.classList.remove("over"); });
    });
    f.addEventListener("drop", function (e) {
      if (!e.dataTransfer.files.length) return;
      input.files = e.dataTransfer.files;
      f.requestSubmit();
    });
  });
})();
