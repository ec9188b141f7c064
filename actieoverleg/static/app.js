// Small enhancements on top of the plain forms; everything works without this file.
(function () {
  "use strict";

  document.documentElement.classList.add("js"); // CSS hides what only a browser without JavaScript needs

  // Steps 1 and 3 save on every change (hx-trigger="change", hx-swap="none"). A field still
  // being typed in has not fired "change" yet, and a save may still be on its way: leaving the
  // case first finishes both, then goes on (a refused save stays, with its message).
  function autosaveForm(node) {
    return node && node.closest ? node.closest("form[data-autosave]") : null;
  }
  document.addEventListener("input", function (event) {
    var form = autosaveForm(event.target);
    if (form) form.setAttribute("data-dirty", "");
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = autosaveForm(event.detail.elt);
    if (form) { form.removeAttribute("data-dirty"); form.setAttribute("data-saving", ""); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = autosaveForm(event.detail.elt);
    if (form) form.removeAttribute("data-saving");
  });
  function afterSaves(go) {
    var form = document.querySelector("form[data-autosave][data-dirty], form[data-autosave][data-saving]");
    if (!form || !window.htmx) return false;
    form.addEventListener("htmx:afterRequest", function (event) {
      if (!event.detail.successful) return;
      // after htmx has finished with this request (and started a queued one, if any)
      window.setTimeout(function () { afterSaves(go) || go(); }, 0);
    }, { once: true });
    if (form.hasAttribute("data-dirty") && !form.hasAttribute("data-saving")) window.htmx.trigger(form, "submit");
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey) return;
    if (afterSaves(function () { window.location.assign(link.href); })) event.preventDefault();
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
  // A plain form (closing the meeting) posts only after the steps' saves have arrived.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); return; }
    if (form.hasAttribute("hx-post") || event.defaultPrevented) return;
    if (afterSaves(function () { form.submit(); })) event.preventDefault();
  });

  // Print buttons (no inline handlers: the Content-Security-Policy forbids them).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // The printable report opens the print dialog by itself: one click from the statistics page.
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-print-on-load]")) window.print();
  });

  // Live screens poll themselves (hx-select-oob): a part the user is typing in, or whose save
  // is on its way, is kept as it is; its version check catches a real conflict on saving.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    var busy = target.querySelector && target.querySelector("form[data-dirty], form[data-saving]");
    if ((active && active !== document.body && target.contains(active)) || busy) event.detail.shouldSwap = false;
  });

  // Messages can be dismissed (the button is there only with JavaScript).
  function dismissButtons(root) {
    root.querySelectorAll("#meldingen .flash:not([data-dismissable])").forEach(function (el) {
      el.setAttribute("data-dismissable", "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "flash__close";
      button.setAttribute("aria-label", "Melding sluiten");
      button.textContent = "×";
      el.appendChild(button);
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".flash__close");
    if (button) button.parentElement.remove();
  });
  document.addEventListener("DOMContentLoaded", function () { dismissButtons(document); });
  document.addEventListener("htmx:afterSettle", function () { dismissButtons(document); });

  // Confirmations fade after a while; errors stay until the user acts.
  function fadeLater(root) {
    root.querySelectorAll("#meldingen .flash--success, #meldingen .flash--info").forEach(function (el) {
      window.setTimeout(function () { el.classList.add("flash--gone"); }, 6000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fadeLater(document); });
  document.addEventListener("htmx:afterSettle", function () { fadeLater(document); });
})();
