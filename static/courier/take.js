/* The courier takes passports from the delivery section: each tracking code scanned (a scanner
   that types the code and Enter, or typed by hand) or ticked joins the list; the count and the list
   are shown, and a confirmation is asked before the form is sent. Taking needs the network: the
   page says so when the phone is offline. Without JavaScript the form still works: the server
   shows the list to confirm. Kept apart from run.js (the deliveries and their offline queue). */
(function () {
  "use strict";

  var form = document.getElementById("take-form");
  var dataNode = document.getElementById("take-data");
  if (!form || !dataNode) { return; }
  var T = JSON.parse(dataNode.textContent).texts;
  var scan = document.getElementById("take-scan");
  var list = document.getElementById("take-list");
  var count = document.getElementById("take-count");
  var error = document.getElementById("take-error");
  var offline = document.getElementById("take-offline");
  var submit = document.getElementById("take-submit");
  var extra = [];  // scanned codes with no box on the page (the server checks them)

  function normalise(raw) {
    var text = String(raw || "").trim();
    var found = text.match(/[?&]code=([A-Za-z0-9]+)/);
    if (found) { text = found[1]; }
    return text.replace(/\s+/g, "").toUpperCase();
  }
  function box(code) {
    var boxes = form.querySelectorAll('input[type="checkbox"][name="codes"]');
    for (var i = 0; i < boxes.length; i++) { if (boxes[i].value === code) { return boxes[i]; } }
    return null;
  }
  function chosen() {
    var codes = [];
    form.querySelectorAll('input[type="checkbox"][name="codes"]:checked').forEach(function (b) { codes.push(b.value); });
    return codes.concat(extra);
  }

  function show() {
    form.querySelectorAll("input.take-extra").forEach(function (input) { input.remove(); });
    extra.forEach(function (code) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "codes"; input.value = code; input.className = "take-extra";
      form.appendChild(input);
    });
    var codes = chosen();
    count.textContent = codes.length;
    list.textContent = "";
    codes.forEach(function (code) {
      var li = document.createElement("li");
      var text = document.createElement("span");
      text.className = "code";
      text.textContent = code;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = T.remove + " " + code;
      remove.addEventListener("click", function () {
        var b = box(code);
        if (b) { b.checked = false; } else { extra = extra.filter(function (c) { return c !== code; }); }
        show();
        scan.focus();
      });
      li.appendChild(text);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(remove);
      list.appendChild(li);
    });
  }

  function add(raw) {
    error.textContent = "";
    raw.split(/[\s,;]+/).forEach(function (part) {
      var code = normalise(part);
      if (!code) { return; }
      var b = box(code);
      if ((b && b.checked) || extra.indexOf(code) !== -1) {
        error.textContent = T.twice.replace("%(code)s", code);
      } else if (b) {
        b.checked = true;
      } else {
        extra.push(code);
      }
    });
    show();
  }

  function net() {
    offline.hidden = navigator.onLine;
    submit.disabled = !navigator.onLine;
  }

  scan.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    event.preventDefault();
    add(scan.value);
    scan.value = "";
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "codes") { error.textContent = ""; show(); }
  });
  form.addEventListener("submit", function (event) {
    if (scan.value.trim()) { add(scan.value); scan.value = ""; }
    var codes = chosen();
    if (!navigator.onLine) { event.preventDefault(); error.textContent = T.offline; return; }
    if (!codes.length) { event.preventDefault(); error.textContent = T.none; scan.focus(); return; }
    if (!window.confirm(T.confirm.replace("%(count)s", codes.length) + "\n\n" + codes.join(", "))) {
      event.preventDefault();
      return;
    }
    var confirmed = document.createElement("input");
    confirmed.type = "hidden"; confirmed.name = "confirm"; confirmed.value = "1";
    form.appendChild(confirmed);
    submit.disabled = true;
  });

  window.addEventListener("online", net);
  window.addEventListener("offline", net);
  net();
  show();
})();
