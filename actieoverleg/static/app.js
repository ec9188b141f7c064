// Small enhancements on top of the plain forms; everything works without this file.
(function () {
  "use strict";

  document.documentElement.classList.add("js"); // CSS hides what only a browser without JavaScript needs

  // Steps 1 and 3 save on every change (hx-trigger="change"). A field still being typed in
  // (a date) has not fired "change" yet: leaving the case first saves it, then goes on.
  function unsaved() {
    return document.querySelector("form[data-autosave][data-dirty]");
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosave]");
    if (form) form.setAttribute("data-dirty", "");
  });
  function saveThenGo(href) {
    var form = unsaved();
    if (!form || !window.htmx) return false;
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) window.location.assign(href);
    }, { once: true });
    window.htmx.trigger(form, "submit");
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey) return;
    if (saveThenGo(link.href)) event.preventDefault();
  });

  // Keyboard shortcuts on the meeting screen: a link with data-shortcut="n" is followed on "n",
  // unless the user is typing in a field.
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    var link = document.querySelector('[data-shortcut="' + event.key + '"]');
    if (link) {
      event.preventDefault();
      link.click();
    }
  });

  // Plain forms that need a confirmation (htmx forms use hx-confirm).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Print buttons (no inline handlers: the Content-Security-Policy forbids them).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // The printable report opens the print dialog by itself: one click from the statistics page.
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-print-on-load]")) window.print();
  });

  // Confirmations fade after a while; errors stay until the user acts.
  function fadeLater(root) {
    root.querySelectorAll("#meldingen .flash--success, #meldingen .flash--info").forEach(function (el) {
      window.setTimeout(function () { el.classList.add("flash--gone"); }, 6000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fadeLater(document); });
  document.addEventListener("htmx:afterSettle", function () { fadeLater(document); });
})();
