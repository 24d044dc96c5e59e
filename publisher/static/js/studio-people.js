// The episode's people: add and remove rows without a round trip. Without JavaScript the
// page offers empty rows and a row emptied is removed on save; the server decides.
(function () {
  "use strict";
  var form = document.querySelector("[data-people]");
  if (!form) { return; }
  var rows = form.querySelector("[data-person-rows]");
  var status = form.querySelector("[data-people-status]");
  var addButton = form.querySelector("[data-add-person]");
  var ROW_ID = /^persons-(\d+)(-|$)/;

  function allRows() { return Array.prototype.slice.call(rows.querySelectorAll("[data-person-row]")); }

  function nextIndex() {
    var highest = -1;
    rows.querySelectorAll("[name^='persons-']").forEach(function (input) {
      var match = ROW_ID.exec(input.name);
      if (match) { highest = Math.max(highest, parseInt(match[1], 10)); }
    });
    return highest + 1;
  }

  function renumber() {
    allRows().forEach(function (row, position) {
      row.querySelector("legend").textContent = "Person " + (position + 1);
      row.querySelector("[data-remove-person]").textContent = "Remove person " + (position + 1);
    });
  }

  function announce(text) { status.textContent = text; }

  function rename(value, index) { return value.replace(/persons-\d+-/g, "persons-" + index + "-"); }

  function addRow() {
    var template = allRows()[allRows().length - 1];
    var copy = template.cloneNode(true);
    var index = nextIndex();
    copy.classList.remove("field-invalid");
    copy.querySelectorAll(".error, [role='alert']").forEach(function (node) { node.remove(); });
    copy.querySelectorAll(".field-invalid").forEach(function (node) { node.classList.remove("field-invalid"); });
    copy.querySelectorAll("[id], [for], [name], [aria-describedby]").forEach(function (node) {
      ["id", "for", "name"].forEach(function (attribute) {
        if (node.hasAttribute(attribute)) { node.setAttribute(attribute, rename(node.getAttribute(attribute), index)); }
      });
      if (node.hasAttribute("aria-describedby")) {
        var kept = node.getAttribute("aria-describedby").split(" ").filter(function (id) { return !/-error$/.test(id); });
        if (kept.length) { node.setAttribute("aria-describedby", rename(kept.join(" "), index)); }
        else { node.removeAttribute("aria-describedby"); }
      }
      if (node.hasAttribute("aria-invalid")) { node.setAttribute("aria-invalid", "false"); }
    });
    copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    copy.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    rows.appendChild(copy);
    wire(copy);
    renumber();
    copy.querySelector("input").focus();
    announce("Person " + allRows().length + " added.");
  }

  function removeRow(row) {
    var list = allRows();
    var position = list.indexOf(row);
    if (list.length === 1) {
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
      row.querySelector("input").focus();
      announce("Person 1 cleared.");
      return;
    }
    row.remove();
    renumber();
    var rest = allRows();
    var next = rest[Math.min(position, rest.length - 1)];
    (next ? next.querySelector("input") : addButton).focus();
    announce("Person removed; " + rest.length + " rows left.");
  }

  function wire(row) {
    var button = row.querySelector("[data-remove-person]");
    button.hidden = false;
    button.addEventListener("click", function () { removeRow(row); });
  }

  allRows().forEach(wire);
  addButton.hidden = false;
  addButton.addEventListener("click", addRow);
})();
