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
