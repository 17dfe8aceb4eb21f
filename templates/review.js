// The review page's script: listening around each cut, moving it, and the cue sheet that
// always holds the cuts as they stand. Everything it needs is in the page (#review-data)
// and the excerpts next to it; it sends nothing anywhere.
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var cuts = data.cuts.map(function (c) {
    return { t: c.t, planned: c.t, label: c.label, from: c.from, to: c.to };
  });
  var end = Math.floor(data.duration * 10);
  var box = document.getElementById("cue-sheet");
  var status = document.getElementById("cue-status");
  var download = document.getElementById("download");
  var cards = cuts.map(function (_, k) { return document.getElementById("cut-" + (k + 1)); });
  // The cut whose excerpt plays from its player's button, and where (excerpt seconds) it stops.
  var playing = null;

  function two(n) { return (n < 10 ? "0" : "") + n; }
  // Tenths of a second as H:MM:SS.t, the clock a cue sheet writes.
  function clock(tenths) {
    var s = Math.floor(tenths / 10);
    return Math.floor(s / 3600) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60) + "." + (tenths % 10);
  }
  function sheet() {
    return data.header + cuts.map(function (c) { return clock(c.t) + " " + c.label + "\n"; }).join("");
  }
  function signed(tenths) {
    return (tenths > 0 ? "+" : "\u2212") + (Math.abs(tenths) / 10).toFixed(1) + " s";
  }
  // A cut stays a tenth of a second clear of its neighbours and inside the recording.
  function low(k) { return k > 0 ? cuts[k - 1].t + 1 : 0; }
  function high(k) { return k + 1 < cuts.length ? cuts[k + 1].t - 1 : end; }

  function show(k) {
    var c = cuts[k], card = cards[k];
    card.querySelector("[data-clock]").textContent = clock(c.t);
    card.querySelector("[data-moved]").textContent =
      c.t === c.planned ? "" : "(moved " + signed(c.t - c.planned) + ")";
    var x = String(c.t - Math.round(c.from * 10));
    var line = card.querySelector("[data-cutline]");
    line.setAttribute("x1", x);
    line.setAttribute("x2", x);
    document.getElementById("mark-" + (k + 1)).style.left = (10 * c.t / data.duration) + "%";
    card.querySelectorAll(".lines li").forEach(function (li) {
      li.className = parseFloat(li.getAttribute("data-t")) * 10 < c.t ? "before" : "after";
    });
    card.querySelectorAll("[data-step]").forEach(function (b) {
      var step = parseInt(b.getAttribute("data-step"), 10);
      b.disabled = step < 0 ? c.t <= low(k) : c.t >= high(k);
    });
  }

  function update() {
    box.value = sheet();
    if (window.Blob && window.URL && URL.createObjectURL) {
      if (download.href.indexOf("blob:") === 0) URL.revokeObjectURL(download.href);
      download.href = URL.createObjectURL(new Blob([box.value], { type: "text/plain" }));
    }
  }

  function move(k, to) {
    cuts[k].t = Math.min(high(k), Math.max(low(k), to));
    [k - 1, k, k + 1].forEach(function (j) { if (j >= 0 && j < cuts.length) show(j); });
    update();
    // Moved while listening: hear the new cut from a few seconds before it.
    if (playing && playing.k === k) listen(k);
  }

  function say(k, text) { cards[k].querySelector("[data-where]").textContent = text; }

  function listen(k) {
    var c = cuts[k], audio = cards[k].querySelector("audio");
    var length = c.to - c.from;
    var start = Math.max(0, c.t / 10 - data.lead - c.from);
    if (start >= length) {
      say(k, "The cut is now past this excerpt; run again with the cue sheet to hear it.");
      return;
    }
    cards.forEach(function (card, j) { if (j !== k) card.querySelector("audio").pause(); });
    playing = { k: k, stop: Math.min(length, c.t / 10 + data.tail - c.from) };
    audio.currentTime = start;
    follow(k);
    var started = audio.play();
    if (started && started.catch) {
      started.catch(function (e) { say(k, "The browser did not play the excerpt: " + e.message); });
    }
  }

  function follow(k) {
    var c = cuts[k], audio = cards[k].querySelector("audio");
    var at = c.from + audio.currentTime;
    var off = at - c.t / 10;
    say(k, "At " + clock(Math.round(at * 10)) + ", " + Math.abs(off).toFixed(1) + " s " +
      (off < 0 ? "before" : "after") + " the cut");
    var head = cards[k].querySelector("[data-playhead]");
    head.setAttribute("x1", String(audio.currentTime * 10));
    head.setAttribute("x2", String(audio.currentTime * 10));
    if (playing && playing.k === k && audio.currentTime >= playing.stop) {
      playing = null;
      audio.pause();
    }
  }

  cards.forEach(function (card, k) {
    var audio = card.querySelector("audio");
    audio.addEventListener("timeupdate", function () { follow(k); });
    audio.addEventListener("pause", function () { if (playing && playing.k === k) playing = null; });
    card.querySelector("[data-play]").addEventListener("click", function () { listen(k); });
    card.querySelectorAll("[data-step]").forEach(function (b) {
      b.addEventListener("click", function () {
        move(k, cuts[k].t + parseInt(b.getAttribute("data-step"), 10));
      });
    });
    card.querySelector("[data-reset]").addEventListener("click", function () { move(k, cuts[k].planned); });
  });

  document.getElementById("copy").addEventListener("click", function () {
    var text = box.value;
    function done(ok) {
      status.textContent = ok
        ? "Copied the cue sheet (" + cuts.length + " cuts)."
        : "The browser did not let the page copy: select the cue sheet and copy it.";
    }
    function byHand() {
      box.focus();
      box.select();
      try { return document.execCommand("copy"); } catch (e) { return false; }
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(byHand()); });
    } else {
      done(byHand());
    }
  });

  document.querySelectorAll("[data-js]").forEach(function (e) { e.hidden = false; });
  document.querySelectorAll("[data-nojs]").forEach(function (e) { e.hidden = true; });
  cuts.forEach(function (_, k) { show(k); });
  update();
})();
