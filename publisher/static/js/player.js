/* Publisher's audio player: progressive enhancement over <audio controls preload="none">.
 *
 * Without this script the native controls work. With it, each [data-player] gets
 * play/pause, back 15 s, forward 30 s, a seek bar, "elapsed / duration" (the duration is
 * printed by the server, so it shows before any audio loads), speed, mute, chapters that
 * seek, one player at a time, and the position remembered per episode (localStorage).
 * Keyboard: every control is a real button or range; inside a player, K or Space toggles,
 * J goes back 15 s, L forward 30 s, M mutes.
 *
 * Waveform: when the server names peaks (data-waveform, the audiowaveform JSON document of
 * the episode's analysis), they are drawn under the seek bar with a tick at each chapter,
 * the played part in the accent colour; clicking it seeks. It is decoration over the
 * real seek bar: no peaks, a failed fetch or a malformed document leave the player as it
 * was.
 */
(function () {
  "use strict";

  var SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
  var BACK_SECONDS = 15;
  var FORWARD_SECONDS = 30;
  var STORE_PREFIX = "publisher:position:";

  function formatTime(seconds) {
    var total = Math.max(0, Math.floor(seconds || 0));
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var secs = total % 60;
    var ss = (secs < 10 ? "0" : "") + secs;
    if (hours) {
      return hours + ":" + (minutes < 10 ? "0" : "") + minutes + ":" + ss;
    }
    return minutes + ":" + ss;
  }

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // Blocked storage (privacy settings): the player works, forgets.
    }
  }

  function Player(root) {
    this.root = root;
    this.audio = root.querySelector("[data-audio]");
    this.controls = root.querySelector("[data-controls]");
    this.toggleButton = root.querySelector('[data-action="toggle"]');
    this.muteButton = root.querySelector('[data-action="mute"]');
    this.speedButton = root.querySelector('[data-action="speed"]');
    this.seek = root.querySelector("[data-seek]");
    this.elapsed = root.querySelector("[data-elapsed]");
    this.totalLabel = root.querySelector("[data-total]");
    this.chapterButtons = Array.prototype.slice.call(root.querySelectorAll("[data-start]"));
    this.key = STORE_PREFIX + root.getAttribute("data-episode");
    // The server's duration until the browser knows better.
    this.knownDuration = parseFloat(root.getAttribute("data-duration")) || 0;
    this.seeking = false;
    this.lastSaved = 0;
    this.enhance();
  }

  Player.prototype.duration = function () {
    var d = this.audio.duration;
    return isFinite(d) && d > 0 ? d : this.knownDuration;
  };

  Player.prototype.enhance = function () {
    var self = this;
    this.audio.controls = false;
    this.audio.classList.add("is-enhanced");
    this.controls.hidden = false;
    this.root.classList.add("is-enhanced");

    var saved = this.savedPosition();
    if (saved > 0) {
      // Setting currentTime before loading becomes the start position once it loads.
      this.audio.currentTime = saved;
      this.render(saved);
    }

    this.root.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !self.root.contains(button)) return;
      var action = button.getAttribute("data-action");
      if (action === "toggle") self.toggle();
      else if (action === "back") self.skip(-BACK_SECONDS);
      else if (action === "forward") self.skip(FORWARD_SECONDS);
      else if (action === "mute") self.toggleMute();
      else if (action === "speed") self.nextSpeed();
      else if (button.hasAttribute("data-start")) {
        self.seekTo(parseFloat(button.getAttribute("data-start")));
        self.play();
      }
    });

    this.root.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var tag = event.target.tagName;
      var key = event.key.toLowerCase();
      if (key === " " && (tag === "BUTTON" || tag === "A" || tag === "SUMMARY")) return;
      if (key === "k" || key === " ") self.toggle();
      else if (key === "j") self.skip(-BACK_SECONDS);
      else if (key === "l") self.skip(FORWARD_SECONDS);
      else if (key === "m") self.toggleMute();
      else return;
      event.preventDefault();
    });

    this.seek.addEventListener("input", function () {
      self.seeking = true;
      self.render(parseFloat(self.seek.value));
    });
    this.seek.addEventListener("change", function () {
      self.seeking = false;
      self.seekTo(parseFloat(self.seek.value));
    });

    var audio = this.audio;
    audio.addEventListener("play", function () {
      Player.pauseOthers(audio);
      self.renderState();
    });
    audio.addEventListener("pause", function () {
      self.renderState();
      self.savePosition(true);
    });
    audio.addEventListener("ended", function () {
      self.forget();
      self.renderState();
    });
    audio.addEventListener("timeupdate", function () {
      if (!self.seeking) self.render(audio.currentTime);
      self.savePosition(false);
    });
    audio.addEventListener("durationchange", function () {
      var d = self.duration();
      self.seek.max = String(d);
      self.totalLabel.textContent = formatTime(d);
    });
    audio.addEventListener("volumechange", function () {
      self.renderState();
    });
    audio.addEventListener("ratechange", function () {
      self.renderState();
    });
    this.renderState();
    this.loadWaveform();
  };

  Player.prototype.loadWaveform = function () {
    var self = this;
    var url = this.root.getAttribute("data-waveform");
    this.canvas = this.root.querySelector("[data-waveform-canvas]");
    if (!url || !this.canvas || !this.canvas.getContext || !window.fetch) return;
    window
      .fetch(url, { credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error("no waveform");
        return response.json();
      })
      .then(function (document) {
        var peaks = Player.peaksOf(document);
        if (!peaks) return;
        self.peaks = peaks;
        self.canvas.hidden = false;
        self.root.classList.add("has-waveform");
        self.canvas.addEventListener("click", function (event) {
          var box = self.canvas.getBoundingClientRect();
          var d = self.duration();
          if (!d || !box.width) return;
          self.seekTo(((event.clientX - box.left) / box.width) * d);
        });
        window.addEventListener("resize", function () {
          self.drawWaveform(self.audio.currentTime, true);
        });
        self.drawWaveform(self.audio.currentTime, true);
      })
      .catch(function () {
        /* No waveform: the seek bar alone does the job. */
      });
  };

  // The min/max pairs of an audiowaveform JSON document (version 1 or 2, 8 or 16 bits),
  // scaled to -1..1; null when it is not one.
  Player.peaksOf = function (document) {
    if (!document || !Array.isArray(document.data) || document.data.length < 2) return null;
    var scale = document.bits === 16 ? 32768 : 128;
    var channels = document.channels || 1;
    var step = 2 * channels;
    var peaks = [];
    for (var i = 0; i + 1 < document.data.length; i += step) {
      var low = Number(document.data[i]) / scale;
      var high = Number(document.data[i + 1]) / scale;
      if (!isFinite(low) || !isFinite(high)) return null;
      peaks.push([low, high]);
    }
    return peaks.length ? peaks : null;
  };

  Player.prototype.drawWaveform = function (position, force) {
    if (!this.peaks) return;
    var canvas = this.canvas;
    var ratio = window.devicePixelRatio || 1;
    var width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    var height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    var d = this.duration();
    var played = d ? Math.round(Math.min(1, position / d) * width) : 0;
    if (!force && played === this.lastPlayed && width === canvas.width) return;
    this.lastPlayed = played;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    var context = canvas.getContext("2d");
    var style = window.getComputedStyle(this.root);
    var accent = style.getPropertyValue("--accent").trim() || "#b4442c";
    context.clearRect(0, 0, width, height);
    var peaks = this.peaks;
    var middle = height / 2;
    var bar = Math.max(1, Math.round(ratio));
    for (var x = 0; x < width; x += bar + 1) {
      var first = Math.floor((x / width) * peaks.length);
      var last = Math.max(first + 1, Math.floor(((x + bar + 1) / width) * peaks.length));
      var low = 0;
      var high = 0;
      for (var i = first; i < last && i < peaks.length; i++) {
        low = Math.min(low, peaks[i][0]);
        high = Math.max(high, peaks[i][1]);
      }
      var top = middle - high * middle;
      var size = Math.max(1, (high - low) * middle);
      context.fillStyle = x < played ? accent : "#b9b2a7";
      context.fillRect(x, top, bar, size);
    }
    if (d) {
      context.fillStyle = "#2b2622";
      this.chapterButtons.forEach(function (button) {
        var start = parseFloat(button.getAttribute("data-start"));
        if (start > 0 && start < d) context.fillRect(Math.round((start / d) * width), 0, bar, height);
      });
    }
  };

  Player.prototype.play = function () {
    var promise = this.audio.play();
    if (promise && promise.catch) {
      promise.catch(function () {
        /* Refused (autoplay policy, no source): the button state shows it is paused. */
      });
    }
  };

  Player.prototype.toggle = function () {
    if (this.audio.paused) this.play();
    else this.audio.pause();
  };

  Player.prototype.skip = function (seconds) {
    this.seekTo(this.audio.currentTime + seconds);
  };

  Player.prototype.seekTo = function (seconds) {
    var d = this.duration();
    var target = Math.max(0, d ? Math.min(seconds, d) : seconds);
    this.audio.currentTime = target;
    this.render(target);
    this.savePosition(true);
  };

  Player.prototype.toggleMute = function () {
    this.audio.muted = !this.audio.muted;
  };

  Player.prototype.nextSpeed = function () {
    var index = SPEEDS.indexOf(this.audio.playbackRate);
    this.audio.playbackRate = SPEEDS[(index + 1) % SPEEDS.length];
  };

  Player.prototype.render = function (position) {
    var d = this.duration();
    this.elapsed.textContent = formatTime(position);
    this.seek.value = String(position);
    this.seek.setAttribute("aria-valuetext", formatTime(position) + " of " + formatTime(d));
    var percent = d ? Math.min(100, (position / d) * 100) : 0;
    // CSSOM, not a style attribute: allowed by our CSP.
    this.seek.style.setProperty("--progress", percent + "%");
    this.markChapter(position);
    this.drawWaveform(position, false);
  };

  Player.prototype.markChapter = function (position) {
    var current = null;
    this.chapterButtons.forEach(function (button) {
      if (parseFloat(button.getAttribute("data-start")) <= position + 0.25) current = button;
    });
    this.chapterButtons.forEach(function (button) {
      if (button === current) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    });
  };

  Player.prototype.renderState = function () {
    var playing = !this.audio.paused;
    this.root.classList.toggle("is-playing", playing);
    this.toggleButton.setAttribute("aria-label", playing ? "Pause" : "Play");
    var muted = this.audio.muted;
    this.root.classList.toggle("is-muted", muted);
    this.muteButton.setAttribute("aria-pressed", muted ? "true" : "false");
    this.muteButton.setAttribute("aria-label", muted ? "Unmute" : "Mute");
    var rate = this.audio.playbackRate;
    this.speedButton.textContent = rate + "×";
    this.speedButton.setAttribute("aria-label", "Playback speed: " + rate + "×");
  };

  Player.prototype.savedPosition = function () {
    var store = storage();
    var value = store ? parseFloat(store.getItem(this.key)) : NaN;
    var d = this.knownDuration;
    // Near the end means finished: start again from the top.
    return isFinite(value) && value > 0 && (!d || value < d - 5) ? value : 0;
  };

  Player.prototype.savePosition = function (now) {
    var store = storage();
    var position = this.audio.currentTime;
    if (!store || (!now && Math.abs(position - this.lastSaved) < 5)) return;
    this.lastSaved = position;
    try {
      if (position > 0) store.setItem(this.key, position.toFixed(1));
    } catch (error) {
      /* Quota or privacy mode: not worth bothering the listener. */
    }
  };

  Player.prototype.forget = function () {
    var store = storage();
    if (store) store.removeItem(this.key);
  };

  Player.all = [];

  Player.pauseOthers = function (playing) {
    Array.prototype.forEach.call(document.querySelectorAll("audio"), function (audio) {
      if (audio !== playing && !audio.paused) audio.pause();
    });
  };

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-player]"), function (root) {
      if (!root.querySelector("[data-audio]") || root.publisherPlayer) return;
      root.publisherPlayer = new Player(root);
      Player.all.push(root.publisherPlayer);
    });
  }

  window.PublisherPlayer = { formatTime: formatTime, players: Player.all, peaksOf: Player.peaksOf };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
