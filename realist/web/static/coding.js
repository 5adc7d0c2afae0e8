// realist: select a passage in a study's text to code it (progressive
// enhancement: without this file the coding form takes a quote instead).
// Offsets are counted in Unicode code points, as Python counts them, into the
// text the server rendered: each segment carries its start (data-start).
(function () {
  "use strict";
  var form = document.getElementById("codeform");
  if (!form) { return; }
  var startIn = document.getElementById("sel-start");
  var endIn = document.getElementById("sel-end");
  var quote = document.getElementById("quote");
  var choice = document.getElementById("text-choice");
  var status = document.getElementById("sel-status");
  var idle = status.textContent;

  function points(s) { return Array.from(s).length; }
  function segmentsOf(box) { return Array.prototype.slice.call(box.querySelectorAll("[data-start]")); }
  function boxOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentNode);
    return el && el.closest ? el.closest(".codetext") : null;
  }
  // The offset into the stored text of a boundary point (node, offset) in box.
  function offsetAt(box, node, offset) {
    var segs = segmentsOf(box);
    var range = document.createRange();
    for (var i = 0; i < segs.length; i++) {
      var seg = segs[i];
      var start = parseInt(seg.dataset.start, 10);
      range.selectNodeContents(seg);
      var where = range.comparePoint(node, offset);
      if (where < 0) { return start; }
      if (where === 0) {
        if (node.nodeType === 3 && seg.contains(node)) {
          // characters of earlier text nodes inside the same segment, then this one's
          var before = 0;
          var walker = document.createTreeWalker(seg, NodeFilter.SHOW_TEXT);
          for (var t = walker.nextNode(); t && t !== node; t = walker.nextNode()) { before += points(t.data); }
          return start + before + points(node.data.slice(0, offset));
        }
        return offset === 0 ? start : start + points(seg.textContent);
      }
    }
    return parseInt(box.dataset.length, 10);
  }
  function fullText(box) {
    return Array.from(segmentsOf(box).map(function (s) { return s.textContent; }).join(""));
  }
  function clearSpan() { startIn.value = ""; endIn.value = ""; }
  function message(name, values) {
    var text = form.dataset[name] || "";
    Object.keys(values).forEach(function (k) { text = text.split("{" + k + "}").join(String(values[k])); });
    return text;
  }

  function onSelection() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
    var range = sel.getRangeAt(0);
    var box = boxOf(range.startContainer);
    var endBox = boxOf(range.endContainer);
    if (!box && !endBox) { return; }  // a selection elsewhere (in the form, say)
    if (box !== endBox) {
      clearSpan();
      status.textContent = message("msgTwoTexts", {});
      return;
    }
    var start = offsetAt(box, range.startContainer, range.startOffset);
    var end = offsetAt(box, range.endContainer, range.endOffset);
    var chars = fullText(box);
    while (start < end && /\s/.test(chars[start])) { start++; }
    while (end > start && /\s/.test(chars[end - 1])) { end--; }
    if (end <= start) { return; }
    startIn.value = String(start);
    endIn.value = String(end);
    choice.value = box.dataset.text;
    quote.value = chars.slice(start, end).join("");
    status.textContent = message("msgSelected", { start: start, end: end, n: end - start });
  }

  var timer = null;
  document.addEventListener("selectionchange", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(onSelection, 150);
  });
  quote.addEventListener("input", function () {
    clearSpan();
    status.textContent = quote.value ? message("msgQuote", {}) : idle;
  });
  choice.addEventListener("change", clearSpan);
  form.addEventListener("reset", function () { clearSpan(); status.textContent = idle; });

  // A click on a highlighted passage (without selecting) shows its codings.
  document.querySelectorAll(".codetext").forEach(function (box) {
    box.addEventListener("click", function (event) {
      var mark = event.target.closest && event.target.closest("mark.coded");
      var sel = window.getSelection();
      if (!mark || (sel && !sel.isCollapsed)) { return; }
      var first = (mark.dataset.codings || "").split(" ")[0];
      var item = first && document.getElementById("coding-" + first);
      if (item) { item.scrollIntoView({ block: "nearest" }); item.focus({ preventScroll: true }); }
    });
  });
})();
