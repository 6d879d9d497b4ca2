// Copy buttons: <button data-copy="input-id"> copies that input's value.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) { return; }
  var input = document.getElementById(button.getAttribute("data-copy"));
  input.select();
  var done = function () { button.textContent = "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});

// Live updates hold one connection each (Server-Sent Events). A page the browser keeps for its back
// button (bfcache) would keep it open, and after a few pages the browser's six connections per host are
// all taken: the next page waited about a minute. So a page being left closes its streams, and one
// brought back from that cache reloads to get a fresh stream and fresh statuses.
window.addEventListener("pagehide", function () {
  if (!window.htmx) { return; }
  document.querySelectorAll("[sse-connect]").forEach(function (element) {
    htmx.trigger(element, "htmx:beforeCleanupElement");
  });
});
window.addEventListener("pageshow", function (event) {
  if (event.persisted && document.querySelector("[sse-connect]")) {
    window.location.reload();
  }
});

// Ages ("3m ago") keep counting between updates. The server renders each as <time data-age="seconds">,
// its age when rendered; the page adds the time since it received the element, so no clock is compared.
function ageText(s) {
  if (s < 60) { return s + "s"; }
  if (s < 3600) { return Math.floor(s / 60) + "m"; }
  if (s < 86400) { return Math.floor(s / 3600) + "h " + Math.floor(s % 3600 / 60) + "m"; }
  return Math.floor(s / 86400) + "d " + Math.floor(s % 86400 / 3600) + "h";
}
function stampAges(root) {
  var now = Date.now();
  root.querySelectorAll("time[data-age]:not([data-received])").forEach(function (el) {
    el.setAttribute("data-received", now);
  });
}
setInterval(function () {
  var now = Date.now();
  document.querySelectorAll("time[data-age][data-received]").forEach(function (el) {
    var s = Number(el.getAttribute("data-age")) + Math.floor((now - Number(el.getAttribute("data-received"))) / 1000);
    el.textContent = ageText(s) + " ago";
  });
}, 5000);

// An application page's summary is pushed live; the sections below it (the buttons, Git vs running,
// deployments, savepoints, events, operations) are read again when it changes, so that a stop seen in the
// summary is not beside a Start button still disabled. A section whose form holds a reason being typed
// keeps the text: only its buttons' enabled states follow.
function refreshSections() {
  fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
    .then(function (response) { return response.ok ? response.text() : null; })
    .then(function (html) {
      if (!html) { return; }
      var fresh = new DOMParser().parseFromString(html, "text/html");
      document.querySelectorAll("section[data-refresh]").forEach(function (old) {
        var next = fresh.getElementById(old.id);
        if (!next || next.innerHTML === old.served) { return; }
        var typing = Array.prototype.some.call(old.querySelectorAll("input[name=reason]"), function (input) {
          return input.value !== "";
        }) || old.contains(document.activeElement);
        if (typing) {
          old.querySelectorAll("form[data-action]").forEach(function (form) {
            var twin = next.querySelector("form[data-action='" + form.getAttribute("data-action") + "'] fieldset");
            if (twin) { form.querySelector("fieldset").disabled = twin.disabled; }
          });
          return;
        }
        var open = Array.prototype.map.call(old.querySelectorAll("details"), function (d) { return d.open; });
        var served = next.innerHTML;
        old.replaceWith(next);
        next.served = served;
        var details = next.querySelectorAll("details");
        if (details.length === open.length) {
          details.forEach(function (d, i) { d.open = open[i]; });
        }
        stampAges(next);
      });
    })
    .catch(function () { /* the next change tries again */ });
}
document.addEventListener("DOMContentLoaded", function () {
  stampAges(document);
  document.querySelectorAll("section[data-refresh]").forEach(function (section) { section.served = section.innerHTML; });
  var pending = null;
  new MutationObserver(function (mutations) {
    stampAges(document);
    var summaryChanged = mutations.some(function (m) {
      return Array.prototype.some.call(m.addedNodes, function (n) { return n.classList && n.classList.contains("summary"); });
    });
    if (summaryChanged && document.querySelector("section[data-refresh]")) {
      clearTimeout(pending);
      pending = setTimeout(refreshSections, 300);
    }
  }).observe(document.body, { childList: true, subtree: true });
});
