// Drag and drop on the agenda (docs/screens.md): the chair drags an item by "Slepen" to another
// place. The item's own "Naar plaats" form is filled in and submitted, so htmx (or, without it,
// the plain form post) does the rest; without this file that form is the way, also by keyboard.
(function () {
  "use strict";

  var dragged = null;
  var MARKS = ["is-drop-before", "is-drop-after"];

  function show(root) {
    root.querySelectorAll("[data-drag-handle], [data-drag-hint]").forEach(function (el) { el.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () { show(document); });
  document.addEventListener("htmx:afterSettle", function () { show(document); });

  function unmark() {
    document.querySelectorAll("." + MARKS.join(", .")).forEach(function (el) { el.classList.remove.apply(el.classList, MARKS); });
  }

  // The item under the pointer, in the dragged item's list, and whether the drop goes after it.
  function spot(event) {
    var over = dragged && event.target.closest && event.target.closest("[data-sortable-item]");
    if (!over || over === dragged || over.parentNode !== dragged.parentNode) return null;
    var box = over.getBoundingClientRect();
    return { item: over, after: event.clientY > box.top + box.height / 2 };
  }

  document.addEventListener("dragstart", function (event) {
    var handle = event.target.closest && event.target.closest("[data-drag-handle]");
    if (!handle) return;
    dragged = handle.closest("[data-sortable-item]");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.id);
    event.dataTransfer.setDragImage(dragged, 16, 16);
    dragged.classList.add("is-dragged");
  });

  document.addEventListener("dragover", function (event) {
    var place = spot(event);
    if (!place) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    unmark();
    place.item.classList.add(place.after ? "is-drop-after" : "is-drop-before");
  });

  document.addEventListener("drop", function (event) {
    var place = spot(event);
    if (!place) return;
    event.preventDefault();
    var others = Array.prototype.filter.call(dragged.parentNode.children, function (el) { return el !== dragged; });
    var position = others.indexOf(place.item) + (place.after ? 2 : 1);
    var form = dragged.querySelector("[data-position-form]");
    form.querySelector("input[name=position]").value = position;
    form.requestSubmit();
  });

  document.addEventListener("dragend", function () {
    unmark();
    if (dragged) dragged.classList.remove("is-dragged");
    dragged = null;
  });
})();
