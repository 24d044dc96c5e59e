// The show form's lists (categories, support links, hosts and crew, text records): "Add
// another" and "Remove" buttons, and each category's subcategories narrowed to the chosen
// category. Without this script the form still offers a few empty rows and every
// subcategory, grouped by category; the server checks everything either way.
(function () {
  "use strict";
  var status = document.querySelector("[data-list-status]");

  function say(message) {
    if (status) { status.textContent = message; }
  }

  function rows(list) {
    return Array.prototype.slice.call(list.querySelectorAll(":scope > [data-row]"));
  }

  function firstControl(row) {
    return row.querySelector("input, select, textarea");
  }

  function legendText(row) {
    return row.querySelector("legend").textContent.trim();
  }

  // "Person 3" -> "Person": the legends are renumbered after each change.
  function renumber(list) {
    rows(list).forEach(function (row, index) {
      var legend = row.querySelector("legend");
      var base = legend.getAttribute("data-base");
      if (!base) {
        base = legend.textContent.replace(/\s*\d+(\s*\(main\))?\s*$/, "");
        legend.setAttribute("data-base", base);
      }
      legend.textContent = base + " " + (index + 1) +
        (list.getAttribute("data-list") === "categories" && index === 0 ? " (main)" : "");
      var remove = row.querySelector("[data-remove-row]");
      if (remove) { remove.textContent = "Remove " + legend.textContent.replace(" (main)", ""); }
    });
    var add = list.querySelector("[data-add-row]");
    if (add) {  // at the limit there is nothing to add: the button goes away
      add.hidden = rows(list).length >= parseInt(list.getAttribute("data-max"), 10);
    }
  }

  function clearRow(row) {
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    row.querySelectorAll("select").forEach(function (select) {
      var preferred = select.name.match(/-role$/) ? "host" : "";
      select.value = preferred;
      if (select.value !== preferred) { select.selectedIndex = 0; }
    });
    row.querySelectorAll(".error, .form-errors").forEach(function (node) { node.remove(); });
    row.querySelectorAll(".field-invalid").forEach(function (node) {
      node.classList.remove("field-invalid");
    });
    row.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
      var described = (node.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return !/-error$/.test(id);
      });
      if (described.length) { node.setAttribute("aria-describedby", described.join(" ")); }
      else { node.removeAttribute("aria-describedby"); }
    });
  }

  function nextIndex(list) {
    var name = list.getAttribute("data-list");
    var pattern = new RegExp("^" + name + "-(\\d+)-");
    var highest = -1;
    list.querySelectorAll("[name]").forEach(function (node) {
      var match = node.name.match(pattern);
      if (match) { highest = Math.max(highest, parseInt(match[1], 10)); }
    });
    return highest + 1;
  }

  function addRow(list) {
    var all = rows(list);
    var source = all[all.length - 1];
    var name = list.getAttribute("data-list");
    var index = nextIndex(list);
    var pattern = new RegExp("^" + name + "-\\d+-");
    var clone = source.cloneNode(true);
    clone.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (node) {
      ["name", "id", "for"].forEach(function (attribute) {
        var value = node.getAttribute(attribute);
        if (value) { node.setAttribute(attribute, value.replace(pattern, name + "-" + index + "-")); }
      });
      var described = node.getAttribute("aria-describedby");
      if (described) {
        node.setAttribute("aria-describedby", described.split(" ").map(function (id) {
          return id.replace(pattern, name + "-" + index + "-");
        }).join(" "));
      }
    });
    clearRow(clone);
    source.after(clone);
    wireRow(list, clone);
    renumber(list);
    narrowAll(clone);
    firstControl(clone).focus();
    say(legendText(clone) + " added.");
  }

  function removeRow(list, row) {
    var all = rows(list);
    var position = all.indexOf(row);
    var label = legendText(row).replace(" (main)", "");
    if (all.length === 1) {
      clearRow(row);
      narrowAll(row);
      firstControl(row).focus();
      say(label + " cleared.");
      return;
    }
    row.remove();
    renumber(list);
    var left = rows(list);
    var target = left[Math.min(position, left.length - 1)];
    firstControl(target).focus();
    say(label + " removed.");
  }

  function wireRow(list, row) {
    var old = row.querySelector("[data-remove-row]");
    if (old) { old.remove(); }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button small";
    button.setAttribute("data-remove-row", "");
    button.addEventListener("click", function () { removeRow(list, row); });
    row.appendChild(button);
  }

  document.querySelectorAll("[data-list]").forEach(function (list) {
    rows(list).forEach(function (row) { wireRow(list, row); });
    var add = document.createElement("button");
    add.type = "button";
    add.className = "button";
    add.setAttribute("data-add-row", "");
    var base = legendText(rows(list)[0]).replace(/\s*\d+(\s*\(main\))?\s*$/, "");
    add.textContent = "Add another " + base.toLowerCase();
    add.addEventListener("click", function () { addRow(list); });
    list.appendChild(add);
    renumber(list);
  });

  // Subcategories: only the chosen category's are offered.
  function narrow(categorySelect) {
    var row = categorySelect.closest("[data-row]");
    var sub = row && row.querySelector("select[data-subcategory]");
    if (!sub) { return; }
    var chosen = categorySelect.value;
    var keep = false;
    sub.querySelectorAll("optgroup").forEach(function (group) {
      var match = group.getAttribute("data-category") === chosen;
      group.hidden = !match;
      group.disabled = !match;
      if (match && sub.selectedOptions[0] && sub.selectedOptions[0].parentNode === group) { keep = true; }
    });
    if (!keep) { sub.value = ""; }
    sub.disabled = !sub.querySelector("optgroup:not([hidden])");
  }

  function narrowAll(root) {
    root.querySelectorAll("select[name$='-category']").forEach(narrow);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[name^='categories-'][name$='-category']")) {
      narrow(target);
    }
  });
  narrowAll(document);
})();
