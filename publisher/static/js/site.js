/* Small page helpers, all optional: copy-a-link buttons and bookmarks kept in this
 * browser (localStorage). The buttons are hidden in the HTML and shown here, so readers
 * without JavaScript never see a control that does nothing. */
(function () {
  "use strict";

  var BOOKMARKS_KEY = "publisher:bookmarks";

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http (a local preview): the old way, through a temporary selection.
    return new Promise(function (resolve, reject) {
      var field = document.createElement("textarea");
      field.value = text;
      field.setAttribute("readonly", "");
      field.className = "visually-hidden";
      document.body.appendChild(field);
      field.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (error) {
        ok = false;
      }
      document.body.removeChild(field);
      if (ok) resolve();
      else reject(new Error("copy refused"));
    });
  }

  function initCopyButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
      var label = button.querySelector("[data-copy-label]");
      var original = label ? label.textContent : "";
      button.hidden = false;
      button.addEventListener("click", function () {
        copyText(button.getAttribute("data-copy")).then(
          function () {
            button.classList.add("is-copied");
            if (label) label.textContent = "Copied";
            window.setTimeout(function () {
              button.classList.remove("is-copied");
              if (label) label.textContent = original;
            }, 2000);
          },
          function () {
            if (label) label.textContent = "Copy failed";
          }
        );
      });
    });
  }

  function readBookmarks() {
    var store = storage();
    try {
      var list = JSON.parse((store && store.getItem(BOOKMARKS_KEY)) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (error) {
      return [];
    }
  }

  function writeBookmarks(list) {
    var store = storage();
    try {
      if (store) store.setItem(BOOKMARKS_KEY, JSON.stringify(list.slice(0, 50)));
    } catch (error) {
      /* Quota or privacy mode: nothing to do. */
    }
  }

  function initBookmarks() {
    if (!storage()) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-bookmark]"), function (button) {
      var url = button.getAttribute("data-url");
      var label = button.querySelector("[data-bookmark-label]");
      function render() {
        var saved = readBookmarks().some(function (item) {
          return item.url === url;
        });
        button.setAttribute("aria-pressed", saved ? "true" : "false");
        if (label) label.textContent = saved ? "Saved" : "Save";
      }
      button.hidden = false;
      render();
      button.addEventListener("click", function () {
        var list = readBookmarks().filter(function (item) {
          return item.url !== url;
        });
        if (button.getAttribute("aria-pressed") !== "true") {
          list.unshift({ url: url, title: button.getAttribute("data-title") });
        }
        writeBookmarks(list);
        render();
      });
    });

    var section = document.querySelector("[data-saved-list]");
    if (!section) return;
    var items = readBookmarks();
    if (!items.length) return;
    var list = section.querySelector("ul");
    items.slice(0, 10).forEach(function (item) {
      // Only our own pages, and text only: nothing stored can inject markup.
      if (typeof item.url !== "string" || !/^https?:\/\//.test(item.url)) return;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = String(item.title || item.url);
      li.appendChild(a);
      list.appendChild(li);
    });
    section.hidden = !list.children.length;
  }

  function init() {
    initCopyButtons();
    initBookmarks();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
