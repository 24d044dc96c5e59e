// The studio's small behaviours; each page's own script lives beside this one.
(function () {
  "use strict";
  // Forms that delete or revoke ask first (the server still needs the CSRF token).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // The dashboard lists the direct uploads this browser can resume (see studio-upload.js).
  var box = document.querySelector("[data-uploads-in-progress]");
  if (box) {
    var items = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key && key.indexOf("publisher-upload:") === 0) {
          items.push(JSON.parse(localStorage.getItem(key)));
        }
      }
    } catch (e) { items = []; }
    if (items.length) {
      var list = document.createElement("ul");
      list.className = "items";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = "/studio/shows/" + encodeURIComponent(item.show) + "/episodes/new";
        link.textContent = item.name + " (choose it again to resume)";
        li.appendChild(link);
        list.appendChild(li);
      });
      box.textContent = "";
      box.appendChild(list);
    }
  }
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
