// Step 5 batch page: a scanned or typed tracking code ticks its passport (strings come from data-*).
(function () {
  var scan = document.getElementById("scan"), status = document.getElementById("scan-status");
  if (!scan || !status) return;
  scan.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") return;
    e.preventDefault();
    var code = scan.value.trim().toUpperCase();
    if (!code) return;
    var box = document.querySelector('input[name="codes"][value="' + CSS.escape(code) + '"]');
    if (box) { box.checked = true; status.textContent = status.dataset.textAdded + " " + code; }
    else { status.textContent = status.dataset.textUnknown + " " + code; }
    scan.value = "";
  });
})();
