// realist: keyboard shortcuts for screening and deduplication (progressive
// enhancement: every action is a plain form without this file).
(function () {
  "use strict";
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  // A submitted form is sent once: a double click or a second key press does nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
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
})();
