// The article editor: live preview rendered by the server, paste normalization, tag
// autocomplete, linked episodes ordered by drag and keyboard, autosave to the server
// and to localStorage (kept while offline). No build step.
(function () {
  "use strict";
  var form = document.querySelector("[data-editor]");
  if (!form) { return; }
  var csrf = form.getAttribute("data-csrf");
  var articleId = form.getAttribute("data-article");
  var body = form.querySelector("#body");
  var title = form.querySelector("#title");
  var summary = form.querySelector("#summary");
  var tags = form.querySelector("#tags");
  var statusField = form.querySelector("#status");
  var publishAt = form.querySelector("#publish_at");
  var version = Number(form.querySelector("#version").value);
  var previewBox = form.querySelector("[data-preview]");
  var saveStatus = form.querySelector("[data-autosave-status]");
  var localKey = "publisher-article:" + articleId;

  function postJson(url, payload) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(payload)});
  }
  function debounce(fn, wait) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, wait); };
  }

  // Word processors paste vertical tabs for line breaks and other control characters.
  function normalize(text) {
    return text.replace(/\r\n?/g, "\n").replace(/\u000b/g, "\n").replace(/[\u0000-\u0008\u000c\u000e-\u001f\u007f]/g, "");
  }
  [body, title, summary].forEach(function (field) {
    field.addEventListener("paste", function (event) {
      var text = event.clipboardData && event.clipboardData.getData("text/plain");
      if (text === undefined || text === null) { return; }
      event.preventDefault();
      var clean = normalize(text);
      var start = field.selectionStart, end = field.selectionEnd;
      field.value = field.value.slice(0, start) + clean + field.value.slice(end);
      field.selectionStart = field.selectionEnd = start + clean.length;
      field.dispatchEvent(new Event("input", {bubbles: true}));
    });
  });

  var refreshPreview = debounce(function () {
    postJson(form.getAttribute("data-preview-url"), {body: body.value})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { previewBox.innerHTML = data.html; } })  // sanitized by the server
      .catch(function () { /* offline: the preview waits */ });
  }, 400);
  body.addEventListener("input", refreshPreview);

  // Autosave: localStorage at once, the server every few seconds when something changed.
  function fields() {
    return {title: title.value, summary: summary.value, body: body.value, tags: tags.value,
            status: statusField.value, publish_at: publishAt.value};
  }
  function restore(saved) {
    if (!saved) { return; }
    if (saved.title !== undefined) { title.value = saved.title; }
    if (saved.summary !== undefined) { summary.value = saved.summary; }
    if (saved.body !== undefined) { body.value = saved.body; }
    if (saved.tags !== undefined) { tags.value = saved.tags; }
    refreshPreview();
  }
  var dirty = false;
  var saveLocal = function () {
    try { localStorage.setItem(localKey, JSON.stringify({version: version, at: Date.now(), fields: fields()})); } catch (e) { /* full or private */ }
  };
  var saveServer = debounce(function () {
    if (!dirty) { return; }
    postJson(form.getAttribute("data-autosave-url"), {version: version, fields: fields()})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        dirty = false;
        saveStatus.textContent = "Draft autosaved at " + new Date().toLocaleTimeString() + ".";
      })
      .catch(function () { saveStatus.textContent = "Offline: your text is kept in this browser until the connection is back."; });
  }, 3000);
  form.addEventListener("input", function () { dirty = true; saveLocal(); saveServer(); });
  window.addEventListener("online", saveServer);
  form.addEventListener("submit", function () { try { localStorage.removeItem(localKey); } catch (e) { /* ignore */ } });
  // Offer what this browser kept if it is newer than what the server has.
  try {
    var kept = JSON.parse(localStorage.getItem(localKey) || "null");
    if (kept && kept.version === version && kept.fields && kept.fields.body !== body.value) {
      restore(kept.fields);
      saveStatus.textContent = "Restored the text you typed in this browser but had not saved.";
      dirty = true; saveServer();
    }
  } catch (e) { /* ignore */ }
  var restoreButton = document.querySelector("[data-restore-autosave]");
  if (restoreButton) {
    restoreButton.addEventListener("click", function () {
      restore(JSON.parse(restoreButton.parentNode.getAttribute("data-server-autosave")));
      restoreButton.parentNode.hidden = true;
      body.focus();
    });
  }

  // Tags: suggestions for the name being typed (after the last comma).
  var datalist = document.getElementById("tag-suggestions");
  tags.addEventListener("input", debounce(function () {
    var parts = tags.value.split(",");
    var current = parts.pop().trim();
    var prefix = parts.length ? parts.join(",") + ", " : "";
    fetch(form.getAttribute("data-tags-url") + "?q=" + encodeURIComponent(current), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (names) {
        datalist.textContent = "";
        names.forEach(function (name) {
          var option = document.createElement("option");
          option.value = prefix + name;
          datalist.appendChild(option);
        });
      }).catch(function () {});
  }, 250));

  // Linked episodes: an ordered list mirrored into the hidden "episodes" field.
  var list = form.querySelector("[data-linked]");
  var hidden = form.querySelector("#episodes");
  function sync() {
    hidden.value = Array.prototype.map.call(list.children, function (li) { return li.getAttribute("data-id"); }).join(",");
    dirty = true;
  }
  function move(li, direction) {
    if (direction === "up" && li.previousElementSibling) { list.insertBefore(li, li.previousElementSibling); }
    if (direction === "down" && li.nextElementSibling) { list.insertBefore(li.nextElementSibling, li); }
    sync();
    li.focus();
  }
  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    var li = button.closest("li");
    if (button.hasAttribute("data-remove")) { li.remove(); sync(); return; }
    move(li, button.getAttribute("data-move"));
  });
  list.addEventListener("keydown", function (event) {
    var li = event.target.closest("li");
    if (!li || !event.altKey) { return; }
    if (event.key === "ArrowUp") { event.preventDefault(); move(li, "up"); }
    if (event.key === "ArrowDown") { event.preventDefault(); move(li, "down"); }
  });
  var dragged = null;
  list.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("li");
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
  });
  list.addEventListener("dragover", function (event) {
    event.preventDefault();
    var over = event.target.closest("li");
    if (!dragged || !over || over === dragged) { return; }
    var box = over.getBoundingClientRect();
    list.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
  });
  list.addEventListener("dragend", function () { if (dragged) { dragged.classList.remove("dragging"); dragged = null; sync(); } });
  function addEpisode(episode) {
    if (list.querySelector('[data-id="' + episode.id + '"]')) { return; }
    var li = document.createElement("li");
    li.setAttribute("draggable", "true"); li.setAttribute("data-id", episode.id); li.tabIndex = 0;
    var label = document.createElement("span"); label.textContent = episode.title; li.appendChild(label);
    [["up", "↑", "Move " + episode.title + " up"], ["down", "↓", "Move " + episode.title + " down"]].forEach(function (spec) {
      var b = document.createElement("button"); b.type = "button"; b.className = "button small";
      b.setAttribute("data-move", spec[0]); b.setAttribute("aria-label", spec[2]); b.textContent = spec[1]; li.appendChild(b);
    });
    var remove = document.createElement("button"); remove.type = "button"; remove.className = "button small danger";
    remove.setAttribute("data-remove", ""); remove.setAttribute("aria-label", "Remove " + episode.title); remove.textContent = "Remove";
    li.appendChild(remove);
    list.appendChild(li);
    sync();
  }
  var search = form.querySelector("[data-episode-search]");
  var results = form.querySelector("[data-episode-results]");
  search.addEventListener("input", debounce(function () {
    fetch(form.getAttribute("data-episodes-url") + "?q=" + encodeURIComponent(search.value), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (episodes) {
        results.textContent = "";
        episodes.forEach(function (episode) {
          var li = document.createElement("li");
          var b = document.createElement("button"); b.type = "button"; b.className = "button small";
          b.textContent = "Link “" + episode.title + "” (" + episode.show + ")";
          b.addEventListener("click", function () { addEpisode(episode); });
          li.appendChild(b); results.appendChild(li);
        });
      }).catch(function () {});
  }, 250));
})();
