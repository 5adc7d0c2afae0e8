// realist: progressive enhancement.  Every action is a plain form and every
// page works without this file; with it:
// - keyboard shortcuts (I include, E exclude, M maybe, R reason, U undo);
// - forms marked data-swap (screening) are sent with fetch and the new record
//   replaces the old one without a full reload: focus moves to its title and
//   a polite live region says what was done;
// - regions marked data-refresh (a job's status, the dashboard) update
//   themselves in place, with no page reload and no moving focus;
// - a new API token's field selects itself and has a Copy button.
(function () {
  "use strict";
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  function announce(text) {
    var region = document.getElementById("announce");
    if (!region) { return; }
    region.textContent = "";
    // A new text in a cleared region is announced even when it repeats the last one.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function swapIn(doc, url, said) {
    var fresh = doc.getElementById("swap");
    var here = document.getElementById("swap");
    var target;
    if (fresh && here) {
      here.replaceWith(document.importNode(fresh, true));
      target = document.querySelector("#swap h1") || document.getElementById("swap");
    } else {
      // An error page (or another page): show its content in place of ours.
      var main = document.querySelector("main");
      var other = doc.querySelector("main");
      if (!main || !other) { window.location.assign(url); return; }
      main.innerHTML = other.innerHTML;
      target = main.querySelector("h1") || main;
    }
    if (doc.title) { document.title = doc.title; }
    if (url && url.indexOf(window.location.origin) === 0) { window.history.replaceState(null, "", url); }
    if (target) {
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
    var error = document.querySelector("main .error");
    announce(error ? error.textContent : said);
  }

  // A submitted form is sent once: a double click or a second key press does nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    if (!form.hasAttribute("data-swap") || !window.fetch || !window.DOMParser || !window.FormData) { return; }
    event.preventDefault();
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    // What to announce once done: the button's data-done text (translated in the page).
    var said = (submitter && submitter.getAttribute("data-done")) || "";
    var busy = document.getElementById("swap");
    if (busy) { busy.setAttribute("aria-busy", "true"); }
    window.fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(data),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.text().then(function (text) {
        swapIn(parse(text), response.url, said);
      });
    }).catch(function () {
      // The network failed: send the form the plain way (the key makes it safe to resend).
      form.dataset.sent = "";
      form.submit();
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var key = event.key.toLowerCase();
    var control = document.querySelector('[data-key="' + key + '"]');
    if (!control) { return; }
    event.preventDefault();
    if (control.tagName === "SELECT") { control.focus(); return; }
    control.click();
  });

  // Regions that update themselves: fetch the page again and replace the region's content
  // when it changed; stop once the new page no longer marks the region (a job is over).
  function autoRefresh(region) {
    var every = parseInt(region.getAttribute("data-refresh"), 10) || 5000;
    var toggle = document.querySelector("[data-refresh-toggle]");
    var box = toggle ? toggle.querySelector("input") : null;
    if (toggle) { toggle.hidden = false; }
    function later() { window.setTimeout(tick, every); }
    function tick() {
      var live = document.getElementById(region.id);
      if (!live) { return; }
      if (document.hidden || (box && !box.checked) || live.contains(document.activeElement)) { later(); return; }
      window.fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.text(); })
        .then(function (text) {
          var fresh = parse(text).getElementById(region.id);
          if (!fresh) { return; }
          if (fresh.innerHTML !== live.innerHTML) { live.innerHTML = fresh.innerHTML; }
          if (fresh.hasAttribute("data-refresh")) { later(); } else { live.removeAttribute("data-refresh"); }
        })
        .catch(function () { window.setTimeout(tick, every * 3); });
    }
    later();
  }
  if (window.fetch && window.DOMParser) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-refresh][id]"), autoRefresh);
  }

  // A secret shown once (a new API token): the field selects all of it on focus, and a
  // Copy button (hidden without JavaScript) puts it on the clipboard.
  Array.prototype.forEach.call(document.querySelectorAll("[data-select-all]"), function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector("[data-copy-status]");
    if (!field) { return; }
    button.hidden = false;
    function say(text) { if (status) { status.textContent = text; } }
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      var copied = function () { say(button.getAttribute("data-copied")); };
      var failed = function () { say(button.getAttribute("data-copy-failed")); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(copied, failed);
      } else {
        try { if (document.execCommand("copy")) { copied(); } else { failed(); } } catch (e) { failed(); }
      }
    });
  });
})();
