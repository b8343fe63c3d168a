// Step 5, the Pos officer's batch page: a scanned or typed tracking code ticks its passport, the
// summary says what is selected, and the form asks before it is sent (strings come from data-*).
(function () {
  var form = document.getElementById("ack-form");
  if (!form) return;
  var scan = document.getElementById("scan"), status = document.getElementById("scan-status");
  var summary = document.getElementById("ack-summary");
  function boxes() { return Array.prototype.slice.call(form.querySelectorAll('input[name="codes"]')); }
  function picked() { return boxes().filter(function (b) { return b.checked; }).map(function (b) { return b.value; }); }
  function update() {
    var codes = picked();
    summary.textContent = codes.length
      ? summary.dataset.textSome.replace("{n}", codes.length).replace("{codes}", codes.join(", "))
      : summary.dataset.textNone;
  }
  boxes().forEach(function (b) { b.addEventListener("change", update); });
  scan.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") return;
    e.preventDefault();
    var code = scan.value.trim().toUpperCase();
    if (!code) return;
    var box = form.querySelector('input[name="codes"][value="' + CSS.escape(code) + '"]');
    if (box) { box.checked = true; status.textContent = status.dataset.textAdded + " " + code; update(); }
    else if (document.querySelector('.batch-items [data-code="' + CSS.escape(code) + '"]')) {
      status.textContent = status.dataset.textDone + " " + code;
    } else { status.textContent = status.dataset.textUnknown + " " + code; }
    scan.value = "";
  });
  form.addEventListener("submit", function (e) {
    var codes = picked();
    if (codes.length && !window.confirm(form.dataset.textConfirm + "\n\n" + summary.textContent)) e.preventDefault();
  });
  update();
  form.dataset.ready = "1";  // the scan field is now handled here (browser tests wait for it)
})();
