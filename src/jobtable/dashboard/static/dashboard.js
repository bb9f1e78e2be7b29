// jobtable dashboard: the only script. Pages work without it; it adds live refresh.
//
// An element with data-live-src="URL" is refreshed every data-live-interval seconds
// (default 5) with the server-rendered HTML fragment at URL. The fragment comes from our
// own templates (escaped there), so it is inserted as the server rendered it. Refresh
// pauses while the tab is hidden and while the pointer or focus is inside the element.
(function () {
  "use strict";

  function refresh(el) {
    if (document.hidden || el.matches(":hover") || el.contains(document.activeElement)) return;
    fetch(el.dataset.liveSrc, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && html !== el.dataset.liveLast) {
          el.innerHTML = html;
          el.dataset.liveLast = html;
          el.dispatchEvent(new CustomEvent("live:updated", { bubbles: true }));
        }
      })
      .catch(function () { /* the next tick retries */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live-src]").forEach(function (el) {
      var seconds = parseFloat(el.dataset.liveInterval || "5");
      setInterval(function () { refresh(el); }, Math.max(seconds, 1) * 1000);
    });
  });
})();
