// The chapters and soundbites pages: rows added and sorted in the list, and the episode's
// waveform drawn by peaks.js (vendored) above it. The list's fields stay the source of
// truth and the accessible way to edit: every marker moves a field, every field moves
// its marker, and the form saves as it would without script.
//
// Chapters are points (drag one to move its start; "Add chapter at the playhead");
// soundbites are segments (drag on the waveform to select a new one, drag its ends).
(function () {
  "use strict";

  var TIME_RE = /^(?:(?:(\d{1,3}):)?(\d{1,2}):)?(\d+(?:[.,]\d+)?)$/;

  function parseTime(text) {
    var match = TIME_RE.exec(String(text || "").trim());
    if (!match) return null;
    var seconds = parseFloat(match[3].replace(",", "."));
    return (parseInt(match[1] || "0", 10) * 3600) + (parseInt(match[2] || "0", 10) * 60) + seconds;
  }

  function formatTime(seconds) {
    var millis = Math.round(seconds * 1000);
    var whole = Math.floor(millis / 1000);
    millis -= whole * 1000;
    var hours = Math.floor(whole / 3600);
    var minutes = Math.floor((whole % 3600) / 60);
    var secs = whole % 60;
    var text = hours + ":" + String(minutes).padStart(2, "0") + ":" + String(secs).padStart(2, "0");
    if (millis) text += ("." + String(millis).padStart(3, "0")).replace(/0+$/, "");
    return text;
  }

  function formatSeconds(seconds) {
    return String(Math.round(seconds * 1000) / 1000);
  }

  // ------------------------------------------------------------------------ the rows

  function Rows(form, kind) {
    this.form = form;
    this.kind = kind; // "chapters" | "soundbites"
    this.body = form.querySelector("[data-rows]");
    this.noun = kind === "chapters" ? "chapter" : "soundbite";
  }

  Rows.prototype.all = function () {
    return Array.prototype.slice.call(this.body.querySelectorAll("[data-row]"));
  };

  Rows.prototype.indexOf = function (row) {
    var input = row.querySelector("input[name$='-start']");
    var match = input && /-(\d+)-start$/.exec(input.name);
    return match ? parseInt(match[1], 10) : -1;
  };

  Rows.prototype.field = function (row, name) {
    return row.querySelector("input[name$='-" + name + "']");
  };

  Rows.prototype.isBlank = function (row) {
    return Array.prototype.every.call(
      row.querySelectorAll("input[type=text], input[type=url], input:not([type])"),
      function (input) { return !input.value.trim(); }
    );
  };

  Rows.prototype.isRemoved = function (row) {
    var box = this.field(row, "remove");
    return !!(box && box.checked);
  };

  // A new row at the end: a copy of the last one, renumbered and emptied.
  Rows.prototype.add = function () {
    var rows = this.all();
    var last = rows[rows.length - 1];
    var oldIndex = this.indexOf(last);
    var newIndex = Math.max.apply(null, rows.map(this.indexOf, this)) + 1;
    var row = last.cloneNode(true);
    var from = "-" + oldIndex + "-", to = "-" + newIndex + "-";
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.split(from).join(to));
      });
    });
    row.querySelectorAll(".error").forEach(function (el) { el.remove(); });
    row.querySelectorAll("td").forEach(function (td) { td.classList.remove("field-invalid"); });
    row.querySelectorAll("input").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      if (input.type === "checkbox") input.checked = false;
      else input.value = "";
    });
    row.querySelectorAll("[data-play-row], [data-move]").forEach(function (el) { el.remove(); });
    this.body.appendChild(row);
    this.renumber();
    if (this.onMove !== undefined) this.moveButtons(row, this.onMove);
    return row;
  };

  // A blank row to fill (the first empty one, else a new one).
  Rows.prototype.blank = function () {
    var found = this.all().filter(function (row) { return this.isBlank(row) && !this.isRemoved(row); }, this);
    return found.length ? found[0] : this.add();
  };

  Rows.prototype.renumber = function () {
    var noun = this.noun;
    this.all().forEach(function (row, position) {
      var number = position + 1;
      var cell = row.querySelector("[data-number]");
      if (cell) cell.textContent = String(number);
      row.querySelectorAll("label.visually-hidden, label .visually-hidden").forEach(function (label) {
        label.textContent = label.textContent.replace(new RegExp(noun + " \\d+$"), noun + " " + number);
      });
    });
    this.labelMoves();
  };

  Rows.prototype.sortByStart = function () {
    var self = this;
    var rows = this.all();
    rows.sort(function (a, b) {
      var x = parseTime(self.field(a, "start").value), y = parseTime(self.field(b, "start").value);
      if (x === null) return y === null ? 0 : 1;
      if (y === null) return -1;
      return x - y;
    });
    rows.forEach(function (row) { self.body.appendChild(row); });
    this.renumber();
  };

  // Move a row's values up or down (the fields keep their names, so the saved order is
  // the order shown); the waveform's markers follow through ``onMove``.
  Rows.prototype.addMoveButtons = function (onMove) {
    var self = this;
    this.all().forEach(function (row) { self.moveButtons(row, onMove); });
  };

  Rows.prototype.moveButtons = function (row, onMove) {
    var self = this;
    var cell = row.querySelector("[data-row-number]");
    if (!cell || cell.querySelector("[data-move]")) return;
    [["up", "↑"], ["down", "↓"]].forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.setAttribute("data-move", pair[0]);
      button.textContent = pair[1];
      button.addEventListener("click", function () {
        var rows = self.all();
        var at = rows.indexOf(row);
        var other = rows[pair[0] === "up" ? at - 1 : at + 1];
        if (!other) return;
        self.swap(row, other);
        if (onMove) { onMove(row); onMove(other); }
        var again = other.querySelector("[data-move='" + pair[0] + "']");
        if (again) again.focus();
      });
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(button);
    });
    this.labelMoves();
  };

  Rows.prototype.labelMoves = function () {
    var noun = this.noun;
    this.all().forEach(function (row, position) {
      row.querySelectorAll("[data-move]").forEach(function (button) {
        button.setAttribute("aria-label", "Move " + noun + " " + (position + 1) + " " + button.getAttribute("data-move"));
      });
    });
  };

  Rows.prototype.swap = function (a, b) {
    var inputsA = a.querySelectorAll("input"), inputsB = b.querySelectorAll("input");
    for (var i = 0; i < inputsA.length && i < inputsB.length; i++) {
      if (inputsA[i].type === "checkbox") {
        var checked = inputsA[i].checked;
        inputsA[i].checked = inputsB[i].checked;
        inputsB[i].checked = checked;
      } else {
        var value = inputsA[i].value;
        inputsA[i].value = inputsB[i].value;
        inputsB[i].value = value;
      }
    }
  };

  // ------------------------------------------------------------------------ the waveform

  function Editor(section, rows) {
    this.section = section;
    this.rows = rows;
    this.mode = section.getAttribute("data-waveform-editor");
    this.audio = section.querySelector("[data-waveform-audio]");
    this.status = section.querySelector("[data-waveform-status]");
    this.peaks = null;
  }

  Editor.prototype.say = function (text) {
    if (this.status) this.status.textContent = text;
  };

  Editor.prototype.start = function () {
    var self = this;
    var views = this.section.querySelector("[data-waveform-views]");
    var failed = function (message) {
      views.hidden = true;
      self.say("The waveform could not be drawn (" + message + "); the list works as before.");
    };
    fetch(this.section.getAttribute("data-waveform-src"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("the peaks are not available");
        return response.json();
      })
      .then(function (data) { self.draw(data, views); })
      .catch(function (error) { failed(error.message); });
  };

  // peaks.js cannot zoom in further than the stored peaks: the zoom levels start there.
  Editor.prototype.draw = function (data, views) {
    var self = this;
    views.hidden = false;
    var scale = Math.max(1, data.samples_per_pixel || 256);
    var zoomview = this.section.querySelector("[data-waveform-zoomview]");
    var options = {
      zoomview: { container: zoomview },
      overview: { container: this.section.querySelector("[data-waveform-overview]") },
      mediaElement: this.audio,
      waveformData: { json: data },
      keyboard: false,
      zoomLevels: [scale, scale * 2, scale * 4, scale * 8]
    };
    window.peaks.init(options, function (error, instance) {
      if (error) {
        views.hidden = true;
        self.say("The waveform could not be drawn (" + error.message + "); the list works as before.");
        return;
      }
      self.peaks = instance;
      // The whole episode in view when the peaks cover the width (chapters are placed
      // relative to all of it); otherwise the closest zoom the peaks allow.
      var view = instance.views.getView("zoomview");
      if (view && (data.length || 0) >= zoomview.clientWidth) view.setZoom({ seconds: "auto" });
      self.section.querySelector("[data-waveform-tools]").hidden = false;
      self.section.setAttribute("data-waveform-ready", "");
      self.rows.all().forEach(self.sync, self);
      self.listen();
    });
  };

  Editor.prototype.id = function (row) {
    return "row-" + this.rows.indexOf(row);
  };

  Editor.prototype.rowOf = function (id) {
    var index = parseInt(String(id).replace("row-", ""), 10);
    var rows = this.rows;
    return rows.all().filter(function (row) { return rows.indexOf(row) === index; })[0] || null;
  };

  // The marker of a row follows its fields (added, moved, renamed or removed).
  Editor.prototype.sync = function (row) {
    if (!this.peaks) return;
    var id = this.id(row);
    var start = parseTime(this.rows.field(row, "start").value);
    var title = (this.rows.field(row, "title").value || "").trim();
    var gone = start === null || this.rows.isRemoved(row);
    if (this.mode === "chapters") {
      var point = this.peaks.points.getPoint(id);
      if (gone) { if (point) this.peaks.points.removeById(id); return; }
      var label = title || "Chapter";
      if (point) point.update({ time: start, labelText: label });
      else this.peaks.points.add({ id: id, time: start, labelText: label, editable: true });
    } else {
      var duration = parseTime(this.rows.field(row, "duration").value);
      var segment = this.peaks.segments.getSegment(id);
      if (gone || duration === null || duration <= 0) {
        if (segment) this.peaks.segments.removeById(id);
        return;
      }
      var values = { startTime: start, endTime: start + duration, labelText: title || "Soundbite" };
      if (segment) segment.update(values);
      else this.peaks.segments.add(Object.assign({ id: id, editable: true }, values));
    }
    this.playButton(row, start);
  };

  Editor.prototype.playButton = function (row, start) {
    var self = this;
    var cell = row.querySelector("[data-row-number]");
    if (!cell || cell.querySelector("[data-play-row]")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.setAttribute("data-play-row", "");
    button.textContent = "▶";
    button.setAttribute("aria-label", "Play from this " + this.rows.noun);
    button.addEventListener("click", function () {
      var time = parseTime(self.rows.field(row, "start").value);
      if (time === null) return;
      self.peaks.player.seek(time);
      self.peaks.player.play();
    });
    cell.appendChild(document.createTextNode(" "));
    cell.appendChild(button);
  };

  Editor.prototype.listen = function () {
    var self = this, rows = this.rows;
    rows.form.addEventListener("input", function (event) {
      var row = event.target.closest && event.target.closest("[data-row]");
      if (row) self.sync(row);
    });
    rows.form.addEventListener("change", function (event) {
      var row = event.target.closest && event.target.closest("[data-row]");
      if (row) self.sync(row);
    });
    var add = this.section.querySelector("[data-add-at-playhead]");
    if (this.mode === "chapters") {
      this.peaks.on("points.dragend", function (event) {
        var row = self.rowOf(event.point.id);
        if (!row) return;
        var time = Math.max(0, event.point.time);
        rows.field(row, "start").value = formatTime(time);
        self.say("Chapter moved to " + formatTime(time) + ". Save the chapters to keep it.");
      });
      add.addEventListener("click", function () {
        var row = rows.blank();
        var time = self.peaks.player.getCurrentTime();
        rows.field(row, "start").value = formatTime(time);
        self.sync(row);
        rows.field(row, "title").focus();
        self.say("Chapter added at " + formatTime(time) + ": give it a title, then save.");
      });
    } else {
      var view = this.peaks.views.getView("zoomview");
      if (view && view.setWaveformDragMode) view.setWaveformDragMode("insert-segment");
      var fill = function (segment, row) {
        rows.field(row, "start").value = formatTime(segment.startTime);
        rows.field(row, "duration").value = formatSeconds(segment.endTime - segment.startTime);
      };
      this.peaks.on("segments.insert", function (event) {
        var segment = event.segment;
        var row = rows.blank();
        var range = { start: segment.startTime, end: segment.endTime };
        self.peaks.segments.removeById(segment.id);
        rows.field(row, "start").value = formatTime(range.start);
        rows.field(row, "duration").value = formatSeconds(range.end - range.start);
        self.sync(row);
        rows.field(row, "title").focus();
        self.say("Soundbite selected (" + formatSeconds(range.end - range.start) + " s): give it a title, then save.");
      });
      this.peaks.on("segments.dragend", function (event) {
        var row = self.rowOf(event.segment.id);
        if (!row) return;
        fill(event.segment, row);
        self.say("Soundbite moved. Save the soundbites to keep it.");
      });
      add.addEventListener("click", function () {
        var row = rows.blank();
        var time = self.peaks.player.getCurrentTime();
        rows.field(row, "start").value = formatTime(time);
        rows.field(row, "duration").value = "30";
        self.sync(row);
        rows.field(row, "title").focus();
        self.say("Soundbite added at " + formatTime(time) + ": give it a title, then save.");
      });
    }
  };

  // ------------------------------------------------------------------------ wiring

  document.querySelectorAll("[data-rows-form]").forEach(function (form) {
    var rows = new Rows(form, form.getAttribute("data-rows-form"));
    var tools = form.querySelector("[data-row-tools]");
    if (tools) {
      tools.hidden = false;
      var add = tools.querySelector("[data-add-row]");
      if (add) add.addEventListener("click", function () {
        var row = rows.add();
        rows.field(row, "start").focus();
      });
      var sort = tools.querySelector("[data-sort-rows]");
      if (sort) sort.addEventListener("click", function () { rows.sortByStart(); });
    }
    var section = document.querySelector("[data-waveform-editor][data-waveform-src]");
    var editor = null;
    if (section && window.peaks && section.querySelector("[data-waveform-audio]")) {
      editor = new Editor(section, rows);
      editor.start();
    }
    if (form.hasAttribute("data-reorder")) {
      rows.onMove = function (row) { if (editor) editor.sync(row); };
      rows.addMoveButtons(rows.onMove);
    }
  });

  window.PublisherWaveform = { parseTime: parseTime, formatTime: formatTime };
})();
