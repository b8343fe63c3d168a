// Selection pages (manifest, release batch, mark ready, manifest receipt): the count and the list
// of what is ticked, near the button; a scanned or typed tracking code + Enter ticks its row; the
// submit asks for confirmation naming the count. Strings come from data-* attributes.
(function () {
  var form = document.querySelector("form[data-selection]");
  if (!form) return;
  var summary = form.querySelector("[data-selection-summary]");
  var scan = form.querySelector("input[data-scan]");
  var scanStatus = document.getElementById("scan-status");
  var confirmField = form.querySelector('input[name="confirm"]');

  function picked() {
    var boxes = form.querySelectorAll('input[type="checkbox"][data-pick]'), out = [];
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) out.push(boxes[i].getAttribute("data-pick"));
    return out;
  }
  function update() {
    if (!summary) return;
    var p = picked();
    summary.textContent = p.length
      ? summary.getAttribute("data-text-some").replace("{n}", p.length) + " " + p.join(", ")
      : summary.getAttribute("data-text-none");
  }
  form.addEventListener("change", update);
  if (scan && scanStatus) {
    scan.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      e.preventDefault();
      var code = scan.value.trim().toUpperCase();
      if (!code) return;
      var box = form.querySelector('input[type="checkbox"][data-pick="' + CSS.escape(code) + '"]');
      if (box) {
        box.checked = true;
        scanStatus.textContent = scanStatus.getAttribute("data-text-added") + " " + code;
      } else {
        scanStatus.textContent = scanStatus.getAttribute("data-text-unknown") + " " + code;
      }
      scan.value = "";
      update();
    });
  }
  form.addEventListener("submit", function (e) {
    var p = picked();
    if (!p.length || !confirmField) return; // the portal says what is missing
    if (!window.confirm(form.getAttribute("data-confirm-text").replace("{n}", p.length))) {
      e.preventDefault();
      return;
    }
    confirmField.value = "on";
  });
  update();
  form.dataset.ready = "1";  // the scan field is now handled here (browser tests wait for it)
})();
